import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { HttpConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import type { RequestHandler } from "./request-handler.js";

/**
 * The HTTP server and nothing else: it listens, holds connections to their bounds and
 * timeouts, and drains on shutdown. What answers a request is built in src/facade.ts.
 */

export interface ServerOptions {
  host: string;
  port: number;
  http: HttpConfig;
  /** On shutdown, how long readiness says 503 before the listener closes. */
  shutdownDelayMs: number;
  /** Then how long requests in flight may take before their connections are cut. */
  shutdownTimeoutMs: number;
  logger: Logger;
}

export interface Listening {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  server: Server;
  /** Waits out the shutdown delay, stops listening, lets requests in flight finish (up to the timeout), then closes. */
  drain(): Promise<void>;
}

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

/** Listens with `handler`, and resolves once the port is bound. */
export async function listen(handler: RequestHandler, options: ServerOptions): Promise<Listening> {
  const { http, logger } = options;
  const server = createServer(
    {
      // Set deliberately rather than left to Node's defaults: a slow-header or slow-body caller
      // holds a socket at most this long, and idle keep-alive outlives a load balancer's (60 s).
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.receiveTimeoutMs,
      keepAliveTimeout: http.keepAliveTimeoutMs,
      // Node waits this much past the Keep-Alive timeout it advertises, so that a client reusing
      // a connection at the last moment is not reset; half a second rather than Node's second
      // keeps an idle connection's life within its timeout plus a second of checking.
      keepAliveTimeoutBuffer: KEEP_ALIVE_BUFFER_MS,
      // Node checks the two timeouts above on this interval (30 s by default): often enough
      // that a slow caller is cut within a fraction of a second of its timeout.
      connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
    },
    handler,
  );
  boundConnections(server, http.maxConnections);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  return {
    url,
    server,
    async drain() {
      // Readiness says 503 while the listener still accepts, so load balancers stop sending
      // here before connections would be refused.
      if (options.shutdownDelayMs > 0) {
        logger.info({ delayMs: options.shutdownDelayMs }, "not ready; closing the listener after the delay");
        await delay(options.shutdownDelayMs);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections go idle as their last answers are sent: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        logger.warn({ afterMs: options.shutdownTimeoutMs }, "shutdown timeout: closing open connections");
        server.closeAllConnections();
      }, options.shutdownTimeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
    },
  };
}
