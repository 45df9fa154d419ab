import type { IncomingMessage, ServerResponse } from "node:http";

/** Checks on the raw HTTP request, made before Yoga reads anything of it. */

/**
 * Refuses a request body over the limit before anything reads it: 413 when the declared
 * length is too large, 411 when a body comes without a declared length.
 * Returns true when it answered.
 */
export function refuseOversizedBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): boolean {
  const length = request.headers["content-length"];
  const refuse = (status: number, message: string) => {
    response.writeHead(status, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify({ errors: [{ message, extensions: { code: "BAD_REQUEST" } }] }));
    request.resume();
    return true;
  };
  if (length !== undefined) {
    return Number(length) > maxBytes ? refuse(413, `The request body is larger than ${maxBytes} bytes.`) : false;
  }
  if (request.headers["transfer-encoding"] !== undefined) {
    return refuse(411, "A request body must declare its Content-Length.");
  }
  return false;
}
