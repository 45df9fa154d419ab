import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createH2cServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { SCOPE_MANAGE, SCOPE_READ } from "../auth/scopes.js";
import type { UpstreamSettings } from "../config/variables.js";
import { ClientsService } from "../gen/xeonr/auth/api/v1/clients_pb.js";
import { DevControls, invalidClientId } from "./controls.js";
import { DEV_AUDIENCE, DEV_ISSUER, DevIssuer } from "./issuer.js";
import { SEED_CLIENTS } from "./seed.js";
import { ClientStore } from "./store.js";

/**
 * The development upstream: a real Connect server for xeonr.auth.api.v1.ClientsService
 * with the same scopes and errors as the real one, an in-memory store and a token issuer
 * (its keys at JWKS_PATH). Its /__dev/* controls are described in controls.ts.
 */

export type { DevUpstreamStats } from "./controls.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROCEDURE_PATH = /^\/xeonr\.auth\.api\.v1\.ClientsService\/(\w+)$/;

const JWKS_PATH = "/.well-known/jwks.json";

/** A running development upstream: the settings a facade needs to use it, and its token issuer. */
export interface DevUpstream extends UpstreamSettings {
  tokens: DevIssuer;
  close(): Promise<void>;
}

export interface DevUpstreamOptions {
  host?: string;
  port?: number;
  /** Where the issuer keeps its keys; omitted, they live in memory only. */
  keyFile?: string;
  /** Serve cleartext HTTP/2 (h2c) instead of HTTP/1.1, as some upstreams do. */
  http2?: boolean;
}

export async function startDevUpstream(options: DevUpstreamOptions = {}): Promise<DevUpstream> {
  const issuer = await DevIssuer.create({ keyFile: options.keyFile });
  const store = new ClientStore(SEED_CLIENTS);
  const controls = new DevControls();

  async function authorize(context: HandlerContext, scope: string): Promise<void> {
    const header = context.requestHeader.get("authorization") ?? "";
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) throw new ConnectError("missing bearer token", Code.Unauthenticated);
    let scopes: ReadonlySet<string>;
    try {
      ({ scopes } = await issuer.verify(token));
    } catch {
      throw new ConnectError("invalid bearer token", Code.Unauthenticated);
    }
    if (!scopes.has(scope)) throw new ConnectError(`missing scope ${scope}`, Code.PermissionDenied);
  }

  function validClientId(clientId: string): string {
    if (!UUID.test(clientId)) throw invalidClientId("client_id must be a UUID");
    return clientId.toLowerCase();
  }

  const routes = (router: ConnectRouter) =>
    router.service(ClientsService, {
      async getClient(request, context) {
        await authorize(context, SCOPE_READ);
        const client = store.get(validClientId(request.clientId), request.includeSecret);
        if (!client) throw new ConnectError("client not found", Code.NotFound);
        return { client };
      },
      async regenerateSecret(request, context) {
        await authorize(context, SCOPE_MANAGE);
        const client = store.regenerateSecret(validClientId(request.clientId));
        if (!client) throw new ConnectError("client not found", Code.NotFound);
        return client;
      },
    });

  const connectHandler = connectNodeAdapter({
    routes,
    interceptors: [controls.interceptor],
    // As the reference pages say: unknown request keys are rejected, every response field is written.
    jsonOptions: { ignoreUnknownFields: false, alwaysEmitImplicit: true },
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const procedure = PROCEDURE_PATH.exec(request.url ?? "")?.[1];
    if (procedure) {
      if (!controls.misbehave(procedure, response)) connectHandler(request, response);
      return;
    }
    if (request.method === "GET" && request.url === JWKS_PATH) {
      controls.stats.jwksFetches += 1;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(issuer.jwks()));
      return;
    }
    if (await controls.route(request, response)) return;
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ code: "not_found", message: "no such route" }));
  };
  // The HTTP/2 compatibility API offers what `handle` uses of the HTTP/1.1 one.
  const server = options.http2 ? createH2cServer(handle as never) : createServer(handle);
  if (!options.http2) (server as ReturnType<typeof createServer>).keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  const url = `http://${host}:${port}`;
  return {
    url,
    jwksUrl: `${url}${JWKS_PATH}`,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    tokens: issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
