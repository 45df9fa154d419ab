import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Each HTTP request's id: the caller's `x-request-id` when it is a plain token (what proxies and
 * gateways send), a new UUID otherwise. It is echoed on the answer, on every log line written
 * while the request is handled, on each upstream call and on the trace's span, so that a
 * caller's request can be followed through all of them.
 */
const REQUEST_ID_HEADER = "x-request-id";
const ACCEPTED = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

const current = new AsyncLocalStorage<string>();

/** The id of the request being handled, if any. */
export const currentRequestId = (): string | undefined => current.getStore();

/** Gives the request its id (on its headers, so that every later reader sees it), echoes it, and runs `handle` under it. */
export function withRequestId(request: IncomingMessage, response: ServerResponse, handle: () => void): void {
  const sent = request.headers[REQUEST_ID_HEADER];
  const id = typeof sent === "string" && ACCEPTED.test(sent) ? sent : randomUUID();
  request.headers[REQUEST_ID_HEADER] = id;
  response.setHeader(REQUEST_ID_HEADER, id);
  current.run(id, handle);
}
