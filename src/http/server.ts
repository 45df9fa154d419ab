import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { pinoHttp } from "pino-http";
import { createTokenVerifier } from "../auth/verifier.js";
import type { ResolvedConfig } from "../config.js";
import { createContextFactory } from "../context/context.js";
import { createGraphQLHandler, GRAPHQL_PATH, type Readiness } from "../graphql/yoga.js";
import type { Logger } from "../logger.js";
import { createMetrics } from "../metrics.js";
import { startTracing } from "../tracing.js";
import { createUpstream } from "../upstream/clients-service.js";
import { bodySizeGuard, corsGuard, type Guard, hostGuard, isLoopbackHost } from "./guards.js";

export interface FacadeOptions {
  config: ResolvedConfig;
  logger: Logger;
  /** A token GraphiQL opens with: given by the development entry only. */
  graphiqlToken?: string | undefined;
}

export interface RunningFacade {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  graphqlUrl: string;
  server: Server;
  /** Stops taking requests, lets those in flight finish (up to the shutdown timeout), then closes. */
  close(): Promise<void>;
}

/** How long a readiness answer is reused, so that a flood of probes is not a flood upstream. */
const READINESS_CACHE_MS = 1_000;

/** Starts the facade's HTTP server and resolves once it is listening. */
export async function startFacade({ config, logger, graphiqlToken }: FacadeOptions): Promise<RunningFacade> {
  const metrics = createMetrics();
  const tracing = config.tracing && (await startTracing(config.tracing));
  const upstream = createUpstream(
    config.upstream,
    metrics.observeUpstreamCall,
    tracing ? [tracing.upstreamInterceptor] : [],
  );
  let draining = false;
  let lastProbe: { at: number; result: Promise<boolean> } | undefined;

  const readiness = async (): Promise<Readiness> => {
    if (draining) return { ready: false, reason: "shutting_down" };
    if (!lastProbe || Date.now() - lastProbe.at > READINESS_CACHE_MS) {
      lastProbe = { at: Date.now(), result: upstream.isReachable() };
    }
    return (await lastProbe.result) ? { ready: true } : { ready: false, reason: "upstream_unreachable" };
  };

  const yoga = createGraphQLHandler({
    context: createContextFactory({
      verifyToken: createTokenVerifier(config.auth, logger),
      upstream,
      maxConcurrency: config.upstream.maxConcurrency,
      requestTimeoutMs: config.requestTimeoutMs,
      observeBatch: metrics.observeBatch,
    }),
    introspection: config.introspection,
    limits: config.limits,
    logger,
    metrics,
    readiness,
    // The token never leaves the developer's machine: only a page asked for by a loopback name gets it.
    graphiqlTokenFor: (request) =>
      graphiqlToken && isLoopbackHost(request.headers.get("host")) ? graphiqlToken : undefined,
    extraPlugins: tracing ? [tracing.graphqlPlugin] : [],
  });
  const guards = [
    hostGuard(config.http.allowedHosts),
    corsGuard(config.http.cors),
    bodySizeGuard(config.limits.maxBodyBytes),
  ].filter((guard): guard is Guard => guard !== undefined);

  // Access logs carry the method, path and status only: never headers, query strings or bodies.
  const accessLog = pinoHttp({
    logger,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split("?")[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
    autoLogging: { ignore: (req) => req.url === "/health" || req.url === "/metrics" },
  });

  const logAccess = logger.isLevelEnabled("info");
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // While draining, each answer closes its connection so that callers reconnect elsewhere.
    if (draining) res.setHeader("connection", "close");
    if (logAccess) accessLog(req, res);
    for (const guard of guards) if (guard(req, res)) return;
    void yoga(req, res);
  };
  const server = createServer(tracing ? (req, res) => tracing.traceRequest(req, res, () => handle(req, res)) : handle);
  // Set deliberately rather than left to Node's defaults: a slow-header or slow-body caller
  // holds a socket at most this long, and idle keep-alive outlives a load balancer's (60 s).
  server.headersTimeout = config.http.headersTimeoutMs;
  server.requestTimeout = config.http.requestTimeoutMs;
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    server,
    close() {
      closing ??= drainAndClose();
      return closing;
    },
  };

  async function drainAndClose() {
    draining = true;
    // Readiness says 503 while the listener still accepts, so load balancers stop sending
    // here before connections would be refused.
    if (config.shutdownDelayMs > 0) {
      logger.info({ delayMs: config.shutdownDelayMs }, "not ready; closing the listener after the delay");
      await delay(config.shutdownDelayMs);
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections go idle as their last answers are sent: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn({ afterMs: config.shutdownTimeoutMs }, "shutdown timeout: closing open connections");
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(timer);
    upstream.close();
    await tracing?.shutdown();
  }
}
