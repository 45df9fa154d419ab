import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { pinoHttp } from "pino-http";
import { createTokenVerifier } from "../auth/verifier.js";
import type { ResolvedConfig } from "../config.js";
import { createContextFactory } from "../context/context.js";
import { createBudgets } from "../context/request-budget.js";
import { createGraphQLHandler, GRAPHQL_PATH, type Readiness } from "../graphql/yoga.js";
import type { Logger } from "../logger.js";
import { createMetrics } from "../metrics.js";
import { startTracing } from "../tracing.js";
import { createCallScheduler } from "../upstream/call-scheduler.js";
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
const KEEP_ALIVE_BUFFER_MS = 500;
/** How often Node looks for connections past their headers or request timeout. */
const CONNECTIONS_CHECK_MS = 250;

/**
 * At most `max` open connections. Under pressure (nine tenths of the bound), the connections
 * idle longest are closed first: keep-alive connections between requests, and connections
 * that have not sent a request yet. Past the bound with none idle to close, a new connection
 * is refused, so that one client cannot take every descriptor and starve the rest.
 */
function boundConnections(server: Server, max: number) {
  let open = 0;
  const pressure = Math.max(1, Math.floor(max * 0.9));
  /** Connections with no request in flight, longest idle first (a Set keeps insertion order). */
  const idle = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    open += 1;
    socket.once("close", () => {
      open -= 1;
      idle.delete(socket);
    });
    let closing = 0;
    for (const candidate of idle) {
      if (open - closing <= pressure) break;
      idle.delete(candidate);
      candidate.destroy();
      closing += 1;
    }
    if (open - closing > max) {
      socket.destroy();
      return;
    }
    idle.add(socket);
  });
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    idle.delete(socket);
    response.once("finish", () => {
      if (!socket.destroyed) idle.add(socket);
    });
  });
}

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
      budgetOf: createBudgets(
        {
          maxCost: config.limits.maxCost,
          maxEntityRepresentations: config.limits.maxEntityRepresentations,
          maxResponseBytes: config.limits.maxResponseBytes,
          maxUpstreamCalls: config.upstream.maxCallsPerRequest,
          maxConcurrency: config.upstream.maxConcurrency,
          timeoutMs: config.requestTimeoutMs,
        },
        createCallScheduler(config.upstream.maxInFlight),
      ),
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
  const server = createServer(
    {
      // Set deliberately rather than left to Node's defaults: a slow-header or slow-body caller
      // holds a socket at most this long, and idle keep-alive outlives a load balancer's (60 s).
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      // Node waits this much past the Keep-Alive timeout it advertises, so that a client reusing
      // a connection at the last moment is not reset; half a second rather than Node's second
      // keeps an idle connection's life within its timeout plus a second of checking.
      keepAliveTimeoutBuffer: KEEP_ALIVE_BUFFER_MS,
      // Node checks the two timeouts above on this interval (30 s by default): often enough
      // that a slow caller is cut within a fraction of a second of its timeout.
      connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
    },
    tracing ? (req, res) => tracing.traceRequest(req, res, () => handle(req, res)) : handle,
  );
  boundConnections(server, config.http.maxConnections);

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
