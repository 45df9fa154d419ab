import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "../logger.js";
import { withRequestId } from "../request-id.js";
import type { Guard } from "./guards.js";

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface RequestHandlerParts {
  logger: Logger;
  /** Checks on the raw request, in order; the first that answers ends it. */
  guards: Guard[];
  /** Yoga, which answers everything the guards let through. */
  graphql: RequestHandler;
  /** While draining, each answer closes its connection so that callers reconnect elsewhere. */
  draining: () => boolean;
}

/** Every HTTP request: its id, the access log, the guards, then Yoga. */
export function createRequestHandler({ logger, guards, graphql, draining }: RequestHandlerParts): RequestHandler {
  // Access logs carry the method, path and status only: never headers, query strings or bodies.
  const accessLog = pinoHttp({
    logger,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split("?")[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
    // Probes and scrapes are not requests of callers: readiness logs its own changes of state.
    autoLogging: { ignore: (req) => req.url === "/health" || req.url === "/metrics" || req.url === "/readiness" },
  });
  const logAccess = logger.isLevelEnabled("info");
  const handle: RequestHandler = (request, response) => {
    if (draining()) response.setHeader("connection", "close");
    if (logAccess) accessLog(request, response);
    for (const guard of guards) if (guard(request, response)) return;
    graphql(request, response);
  };
  return (request, response) => withRequestId(request, response, () => handle(request, response));
}
