import { Code, ConnectError } from "@connectrpc/connect";
import type { Dispatcher } from "undici";

/**
 * One POST over an undici dispatcher, its answer read whole: the HTTP half of a unary call,
 * with its deadline, its cancellation and a bound on the answer's size.
 */

export interface RawAnswer {
  status: number;
  contentType: string;
  /** The answer's headers as undici gives them: made into a `Headers` only for a caller that reads it. */
  headers: Dispatcher.ResponseData["headers"];
  body: Buffer;
}

/** Connection failures: refused, reset, cut. The upstream did not answer; a retry may. */
const unavailable = (cause: unknown) =>
  new ConnectError(
    `upstream connection failed: ${(cause as Error).message}`,
    Code.Unavailable,
    undefined,
    undefined,
    cause,
  );

/** `readMaxBytes`: an answer larger than this is refused unread: a fault, not data to buffer. */
export function createPost(dispatcher: Dispatcher, readMaxBytes: number) {
  // A service has a handful of method URLs: each is parsed into its path once, not per call.
  const paths = new Map<string, string>();
  const pathOf = (url: string) => {
    let found = paths.get(url);
    if (found === undefined) {
      const parsed = new URL(url);
      found = parsed.pathname + parsed.search;
      paths.set(url, found);
    }
    return found;
  };

  return function post(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal,
    body: Uint8Array | string,
    timeoutMs: number | undefined,
  ): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      let done = false;
      // Set once undici puts the call on a connection; a call settled before then is aborted there.
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let answerHeaders: RawAnswer["headers"] = {};
      const chunks: Buffer[] = [];
      let length = 0;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => fail(new ConnectError("the upstream call timed out", Code.DeadlineExceeded)), timeoutMs);
      const onAbort = () => fail(new ConnectError("the upstream call was canceled", Code.Canceled));
      const finish = () => {
        done = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      // Whichever comes first settles the call; the connection is closed, never reused half-read.
      function fail(error: ConnectError) {
        if (done) return;
        finish();
        reject(error);
        controller?.abort(error);
      }
      const tooLarge = () => fail(new ConnectError(`answer larger than ${readMaxBytes} bytes`, Code.ResourceExhausted));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      dispatcher.dispatch(
        { path: pathOf(url), method: "POST", headers, body },
        {
          onRequestStart(started) {
            controller = started;
            if (done) started.abort(new ConnectError("the upstream call was settled", Code.Canceled));
          },
          onResponseStart(_, statusCode, responseHeaders) {
            status = statusCode;
            answerHeaders = responseHeaders;
            if (Number(responseHeaders["content-length"] ?? 0) > readMaxBytes) tooLarge();
          },
          onResponseData(_, chunk) {
            length += chunk.length;
            if (length > readMaxBytes) return tooLarge();
            chunks.push(chunk);
          },
          onResponseEnd() {
            if (done) return;
            finish();
            const type = answerHeaders["content-type"];
            resolve({
              status,
              contentType: (Array.isArray(type) ? type[0] : type) ?? "",
              headers: answerHeaders,
              // One chunk, as nearly every answer comes, is kept as undici gave it rather than copied.
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length),
            });
          },
          onResponseError(_, error) {
            fail(error instanceof ConnectError ? error : unavailable(error));
          },
        },
      );
    });
  };
}
