import { createServer } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, type ConnectRouter, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import { SCOPE_MANAGE, SCOPE_READ } from "../auth/scopes.js";
import { ClientsService } from "../upstream/gen/xeonr/auth/api/v1/clients_pb.js";
import { DevIssuer } from "./issuer.js";
import { SEED_CLIENTS } from "./seed.js";
import { ClientStore } from "./store.js";

/**
 * The development upstream: a real Connect server for xeonr.auth.api.v1.ClientsService
 * with the same scopes and errors as the real one, an in-memory store and a token issuer.
 *
 * Besides the service it serves:
 *   GET  /.well-known/jwks.json  the issuer's public keys
 *   GET  /__dev/stats            calls received per procedure, the latest requests, the
 *                                most calls it has had in flight at once, JWKS fetches
 *   POST /__dev/stats/reset      zeroes those counters
 *   POST /__dev/latency          {"ms": N}: every call takes at least N ms from now on
 *   POST /__dev/fail             {"code": "unavailable", "times": N}: the next N calls fail
 *                                with that Connect code, as the real upstream would say it
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECENT_CALLS_KEPT = 1_000;

export interface ReceivedCall {
  procedure: string;
  clientId: string;
  includeSecret: boolean;
}

export interface DevUpstreamStats {
  calls: Record<string, number>;
  recent: ReceivedCall[];
  maxInFlight: number;
  jwksFetches: number;
}

const emptyStats = (): DevUpstreamStats => ({ calls: {}, recent: [], maxInFlight: 0, jwksFetches: 0 });

export interface DevUpstream {
  url: string;
  issuer: DevIssuer;
  close(): Promise<void>;
}

export interface DevUpstreamOptions {
  host?: string;
  port?: number;
  /** Where the issuer keeps its keys; omitted, they live in memory only. */
  keyFile?: string;
}

export async function startDevUpstream(options: DevUpstreamOptions = {}): Promise<DevUpstream> {
  const issuer = await DevIssuer.create({ keyFile: options.keyFile });
  const store = new ClientStore(SEED_CLIENTS);
  let stats = emptyStats();
  let inFlight = 0;
  let latencyMs = 0;
  let failures: { code: Code; times: number } | undefined;

  const countCalls: Interceptor = (next) => async (request) => {
    const message = request.message as { clientId?: string; includeSecret?: boolean };
    const procedure = request.method.name;
    stats.calls[procedure] = (stats.calls[procedure] ?? 0) + 1;
    stats.recent.push({ procedure, clientId: message.clientId ?? "", includeSecret: message.includeSecret ?? false });
    if (stats.recent.length > RECENT_CALLS_KEPT) stats.recent.shift();
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      if (latencyMs > 0) await delay(latencyMs, undefined, { signal: request.signal });
      if (failures && failures.times > 0) {
        failures.times -= 1;
        throw new ConnectError("injected failure", failures.code);
      }
      return await next(request);
    } finally {
      inFlight -= 1;
    }
  };

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
    if (!UUID.test(clientId)) throw new ConnectError("client_id must be a UUID", Code.InvalidArgument);
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

  const handler = connectNodeAdapter({
    routes,
    interceptors: [countCalls],
    // As the reference pages say: unknown request keys are rejected, every response field is written.
    jsonOptions: { ignoreUnknownFields: false, alwaysEmitImplicit: true },
    async fallback(request, response) {
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (request.method === "GET" && path === "/.well-known/jwks.json") {
        stats.jwksFetches += 1;
        return json(200, issuer.jwks());
      }
      if (request.method === "GET" && path === "/__dev/stats") return json(200, stats);
      if (request.method === "POST" && path === "/__dev/stats/reset") {
        stats = emptyStats();
        return json(200, stats);
      }
      if (request.method === "POST" && path === "/__dev/latency") {
        const { ms } = (await readJson(request)) as { ms?: unknown };
        if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0) return json(400, { message: "ms must be a whole number >= 0" });
        latencyMs = ms;
        return json(200, { ms });
      }
      if (request.method === "POST" && path === "/__dev/fail") {
        const { code, times } = (await readJson(request)) as { code?: unknown; times?: unknown };
        const parsed = typeof code === "string" ? codeFromString(code) : undefined;
        if (parsed === undefined || typeof times !== "number" || !Number.isInteger(times) || times < 0) {
          return json(400, { message: 'expected {"code": "<connect code>", "times": N}' });
        }
        failures = { code: parsed, times };
        return json(200, { code, times });
      }
      json(404, { code: "not_found", message: "no such route" });
    },
  });

  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readJson(request: AsyncIterable<Buffer | string>): Promise<unknown> {
  let body = "";
  for await (const chunk of request) body += chunk;
  try {
    return JSON.parse(body || "{}");
  } catch {
    return {};
  }
}
