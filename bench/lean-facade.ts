import { Agent, createServer, request as httpRequest } from "node:http";
import { type DocumentNode, execute, type GraphQLError, parse, validate } from "graphql";
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
 * Scenario F of the benchmark, and nothing else: the leanest facade a team could write for
 * the same work as the real one's B, C and D requests. `node:http` in, graphql-js `execute`
 * over a cache of parsed and validated documents, the shared schema, token verification and
 * DataLoader (lean-schema.ts), and GetClient over the Connect JSON protocol (a POST) on a
 * keep-alive `node:http` agent, forwarding the caller's token. It caches no answer across
 * requests. Not part of the service.
 */

const values = yardstickArguments();
const upstreamUrl = new URL(values.upstream!);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const verify = createVerifier({ jwks: values.jwks!, issuer: values.issuer!, audience: values.audience! });

const getClient: GetClient = (clientId, authorization) => {
  const body = getClientBody(clientId);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: "POST",
        path: GET_CLIENT_PATH,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "connect-protocol-version": "1",
          authorization,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          if (res.statusCode === 404) return resolve(null);
          if (res.statusCode !== 200) return reject(new Error(`upstream ${res.statusCode}`));
          resolve(JSON.parse(text).Client);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
};

const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
function documentFor(query: string) {
  let document = documents.get(query);
  if (!document) {
    const parsed = parse(query);
    const errors = validate(schema, parsed);
    document = errors.length > 0 ? errors : parsed;
    documents.set(query, document);
  }
  return document;
}

const server = createServer((req, res) => {
  let text = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (text += chunk));
  req.on("end", async () => {
    const { query, variables, operationName } = JSON.parse(text);
    const document = documentFor(query);
    const caller = await verify(req.headers.authorization);
    const result = Array.isArray(document)
      ? { errors: document }
      : await execute({
          schema,
          document: document as DocumentNode,
          variableValues: variables,
          operationName,
          contextValue: contextFor(caller, getClient),
        });
    const body = JSON.stringify(result);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`lean facade listening on ${(server.address() as { port: number }).port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
