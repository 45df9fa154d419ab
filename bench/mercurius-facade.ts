import Fastify from "fastify";
import mercurius from "mercurius";
import { Pool } from "undici";
import {
  contextFor,
  createVerifier,
  GET_CLIENT_PATH,
  type GetClient,
  getClientBody,
  schema,
  yardstickArguments,
} from "./lean-schema.js";

/**
 * Scenario M of the benchmark, and nothing else: the stack a speed-minded team would pick for
 * the same work as scenario F — Fastify with Mercurius (graphql-jit compiling each document
 * after its first use, Mercurius's own cache of parsed documents), the shared schema, token
 * verification and DataLoader (lean-schema.ts), and GetClient over the Connect JSON protocol
 * through an undici `Pool`. It caches no answer across requests. Not part of the service.
 */

const values = yardstickArguments();
const pool = new Pool(values.upstream!, { connections: 16 });
const verify = createVerifier({ jwks: values.jwks!, issuer: values.issuer!, audience: values.audience! });

const getClient: GetClient = async (clientId, authorization) => {
  const { statusCode, body } = await pool.request({
    path: GET_CLIENT_PATH,
    method: "POST",
    headers: { "content-type": "application/json", "connect-protocol-version": "1", authorization },
    body: getClientBody(clientId),
  });
  if (statusCode === 404) {
    await body.dump();
    return null;
  }
  if (statusCode !== 200) {
    await body.dump();
    throw new Error(`upstream ${statusCode}`);
  }
  return ((await body.json()) as { Client: Record<string, unknown> }).Client;
};

const app = Fastify({ logger: false });
await app.register(mercurius, {
  schema,
  jit: 1,
  graphiql: false,
  path: "/graphql",
  context: async (request) => contextFor(await verify(request.headers.authorization), getClient),
});
await app.listen({ port: Number(values.port), host: "127.0.0.1" });
process.stdout.write(`mercurius facade listening on ${(app.server.address() as { port: number }).port}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
