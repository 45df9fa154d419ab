import type { IncomingMessage, ServerResponse } from "node:http";
import cors from "cors";
import type { HttpConfig } from "../config/config.js";
import { type ErrorCode, httpRefusalBody } from "../errors.js";
import { CSRF_HEADER } from "../graphql/yoga.js";

/**
 * Checks on the raw HTTP request, made before Yoga reads anything of it. Each returns
 * true when it has answered the request itself.
 */
export type Guard = (request: IncomingMessage, response: ServerResponse) => boolean;

function refuse(request: IncomingMessage, response: ServerResponse, status: number, code: ErrorCode, message: string) {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", connection: "close" });
  response.end(httpRefusalBody(code, message));
  request.resume();
  return true;
}

/**
 * Refuses a request body over the limit before anything reads it: 413 when the declared
 * length is too large, 411 when a body comes without a declared length.
 */
export function bodySizeGuard(maxBytes: number): Guard {
  return (request, response) => {
    const length = request.headers["content-length"];
    if (length !== undefined) {
      return Number(length) > maxBytes
        ? refuse(request, response, 413, "BAD_REQUEST", `The request body is larger than ${maxBytes} bytes.`)
        : false;
    }
    if (request.headers["transfer-encoding"] !== undefined) {
      return refuse(request, response, 411, "BAD_REQUEST", "A request body must declare its Content-Length.");
    }
    return false;
  };
}

const LOOPBACK_HOST = /^(localhost|[a-z0-9-]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** The host name of a Host header, without its port. */
function hostName(header: string): string {
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0]!;
}

/** Whether a request's Host header names this machine's loopback. */
export function isLoopbackHost(hostHeader: string | null | undefined): boolean {
  return LOOPBACK_HOST.test(hostName(hostHeader ?? ""));
}

/**
 * In development, answers only requests addressed to loopback or a listed host name: a page
 * elsewhere that rebinds its own DNS name to 127.0.0.1 cannot reach the service.
 */
export function hostGuard(allowed: HttpConfig["allowedHosts"]): Guard | undefined {
  if (!allowed) return undefined;
  const names = new Set(allowed.names.map((name) => name.toLowerCase()));
  return (request, response) => {
    const name = hostName(request.headers.host ?? "").toLowerCase();
    if (LOOPBACK_HOST.test(name) || names.has(name)) return false;
    return refuse(
      request,
      response,
      403,
      "HOST_NOT_ALLOWED",
      "This host name is not served; list it in ALLOWED_HOSTS.",
    );
  };
}

/**
 * CORS as an allow-list (the `cors` package): a listed origin gets exactly its origin, the
 * methods and headers the API uses and no credentials; any other gets no CORS header at all,
 * on every path, so its pages cannot read a response. Preflights are answered here.
 */
export function corsGuard({ origins, loopback }: HttpConfig["cors"]): Guard {
  const listed = new Set(origins);
  const allowed = (origin: string | undefined) =>
    origin !== undefined && (listed.has(origin) || (loopback && LOOPBACK_ORIGIN.test(origin)));
  const middleware = cors({
    origin: (origin, callback) => callback(null, allowed(origin) ? origin : false),
    methods: ["GET", "POST"],
    allowedHeaders: ["authorization", "content-type", CSRF_HEADER, "traceparent", "tracestate"],
    credentials: false,
    maxAge: 600,
  });
  return (request, response) => {
    // Answers differ by Origin, so shared caches must key on it.
    response.setHeader("vary", "Origin");
    let answered = true;
    // The middleware is synchronous with a synchronous origin callback: `next` runs now or never.
    middleware(request as never, response as never, () => {
      answered = false;
    });
    if (answered) return true;
    // A preflight from an origin not listed: answered without any permission.
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
      response.writeHead(204, { "content-length": "0" });
      response.end();
      return true;
    }
    return false;
  };
}
