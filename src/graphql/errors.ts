import { GraphQLError } from "graphql";
import { type MaskError, maskError as maskUnexpected } from "graphql-yoga";
import type { Logger } from "../logger.js";
import { type UpstreamCode, UpstreamError } from "../upstream/clients-service.js";

/**
 * What a client is told when the upstream fails: a stable code and a fixed message.
 * The upstream's own message and anything else about it stay on this side.
 */
const upstreamFailures: Partial<Record<UpstreamCode, { code: string; message: string }>> = {
  not_found: { code: "NOT_FOUND", message: "No OAuth client has that id." },
  invalid_argument: { code: "BAD_USER_INPUT", message: "The upstream rejected the request as invalid." },
  unauthenticated: { code: "UNAUTHENTICATED", message: "The upstream did not accept the credentials." },
  permission_denied: { code: "FORBIDDEN", message: "The credentials do not allow this operation." },
  unavailable: { code: "UPSTREAM_UNAVAILABLE", message: "The OAuth clients service is unavailable." },
  deadline_exceeded: { code: "UPSTREAM_TIMEOUT", message: "The OAuth clients service did not answer in time." },
  resource_exhausted: { code: "RATE_LIMITED", message: "Too many requests to the OAuth clients service." },
};

/** Yoga's error mask: upstream failures get their mapped code; anything unexpected is masked. */
export function createErrorMasker(logger: Logger): MaskError {
  return (error, message) => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof UpstreamError) {
      // The upstream's message is logged, never its stack: there is nothing of ours in it.
      logger.warn(
        { procedure: original.procedure, upstreamCode: original.code, reason: original.message },
        "upstream call failed",
      );
      const mapped = upstreamFailures[original.code];
      if (mapped) {
        return new GraphQLError(mapped.message, {
          nodes: error instanceof GraphQLError ? error.nodes : undefined,
          path: error instanceof GraphQLError ? error.path : undefined,
          extensions: { code: mapped.code, upstreamCode: original.code, ...original.details },
        });
      }
    } else if (!(original instanceof GraphQLError)) {
      // Typed GraphQL errors (bad input, permissions, limits) are answers, not faults.
      logger.error({ err: original }, "unexpected error while resolving");
    }
    return maskUnexpected(error, message, false);
  };
}
