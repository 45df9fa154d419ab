import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";

/**
 * What an upstream call's failure is, told apart once: the upstream's own answer, or a fault of
 * the link before or after the request was sent, with only the details a caller may see.
 */

/** Connect error codes as they appear on the wire ("not_found", "unavailable", …). */
export type UpstreamCode = ReturnType<typeof codeToString>;

/** The parts of an upstream error's details that are safe to show a caller. */
export interface SafeDetails {
  fieldViolations?: { field: string; description: string }[];
  retryAfterMs?: number;
  reason?: string;
}

/**
 * Where a failure came from: the upstream's own answer, the link after the request was sent
 * (no answer, or one that could not be read), or this side before anything was sent.
 */
export type FailureOrigin = "upstream" | "link" | "not_sent";

export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamCode,
    message: string,
    readonly procedure: string,
    readonly details: SafeDetails = {},
    readonly origin: FailureOrigin = "not_sent",
    /** A call that changes state may have taken effect: it was sent, and no answer says whether. */
    readonly outcomeUnknown = false,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Connection failures in which nothing was sent: a call that met one certainly did not take effect. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function toUpstreamError(error: unknown, procedure: string): UpstreamError {
  const connectError = ConnectError.from(error, Code.Internal);
  const answered = [...connectError.metadata.keys()].length > 0;
  if (answered) {
    return new UpstreamError(
      codeToString(connectError.code),
      connectError.rawMessage,
      procedure,
      safeDetails(connectError),
      "upstream",
    );
  }
  // No answer from the upstream: connect-es made this error itself, and its code says what
  // went wrong on our side of the link, not what the upstream meant.
  const origin = wasNotSent(connectError) ? "not_sent" : "link";
  return new UpstreamError(localFailureCode(connectError.code), connectError.rawMessage, procedure, {}, origin);
}

function wasNotSent(error: ConnectError): boolean {
  const cause = error.cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = cause?.code ?? cause?.cause?.code;
  return typeof code === "string" && NOT_SENT.has(code);
}

/**
 * Whether a failed rotation may still have replaced the secret: the upstream said it ran out
 * of time (which, in Connect, does not say the work was undone), or nothing came back after
 * the request was sent (timeout, cancellation, a cut connection, an unreadable answer).
 */
export function rotationMayHaveHappened(error: UpstreamError): boolean {
  if (error.origin === "link") return true;
  return error.origin === "upstream" && (error.code === "deadline_exceeded" || error.code === "unknown");
}

function localFailureCode(code: Code): UpstreamCode {
  switch (code) {
    case Code.DeadlineExceeded:
      return "deadline_exceeded";
    case Code.Canceled:
      return "canceled";
    // Refused, reset or cut connections.
    case Code.Unavailable:
    case Code.Aborted:
      return "unavailable";
    // An answer it could not read: malformed, or larger than readMaxBytes.
    default:
      return "internal";
  }
}

/** Only the standard details a caller can act on survive; `debug` and anything else is dropped. */
function safeDetails(error: ConnectError): SafeDetails {
  const details: SafeDetails = {};
  try {
    const violations = error.findDetails(BadRequestSchema).flatMap((detail) => detail.fieldViolations);
    if (violations.length > 0) {
      details.fieldViolations = violations.map(({ field, description }) => ({ field, description }));
    }
    const retry = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
    if (retry) details.retryAfterMs = Number(retry.seconds) * 1000 + Math.round(retry.nanos / 1e6);
    const reason = error.findDetails(ErrorInfoSchema)[0]?.reason;
    if (reason) details.reason = reason;
  } catch {
    // Undecodable details are as good as none.
  }
  return details;
}
