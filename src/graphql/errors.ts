import { type ExecutionResult, GraphQLError } from "graphql";
import { type MaskError, maskError as maskUnexpected, type Plugin } from "graphql-yoga";
import type { Logger } from "../logger.js";
import { type UpstreamCode, UpstreamError } from "../upstream/clients-service.js";

/**
 * What a caller is told when the upstream fails: a stable code and a fixed message.
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

/** A rotation sent to the upstream whose answer never said whether it happened. */
const OUTCOME_UNKNOWN = {
  code: "UPSTREAM_OUTCOME_UNKNOWN",
  message:
    "The OAuth clients service did not say whether the secret was replaced: it may have been. Read the client's clientSecret back before using or replacing it again.",
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
      const mapped = original.outcomeUnknown ? OUTCOME_UNKNOWN : upstreamFailures[original.code];
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

/**
 * Every error a caller gets carries `extensions.code`: the ones GraphQL and Yoga make
 * themselves (parse, validation, variables, request shape) get theirs here, and nothing of
 * the caller's own body is echoed back.
 */
export const useTypedErrors: Plugin = {
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result)) {
      setResult(result.map(withCodes));
    } else if (result && typeof result === "object" && "errors" in result) {
      setResult(withCodes(result as ExecutionResult));
    }
  },
};

function withCodes(result: ExecutionResult): ExecutionResult {
  // Refused before execution (no data): a 4xx for callers that accept application/graphql-response+json.
  if (!("data" in result) && result.errors?.some((error) => error.extensions?.http === undefined)) {
    return {
      ...result,
      errors: result.errors.map((error) =>
        typed(error, error.extensions?.http === undefined ? { status: 400, spec: true } : undefined),
      ),
    };
  }
  if (
    !result.errors?.some((error) => error.extensions?.code === undefined || "originalError" in (error.extensions ?? {}))
  ) {
    return result;
  }
  return { ...result, errors: result.errors.map((error) => typed(error)) };
}

function typed(error: GraphQLError, status?: { status: number; spec: true }): GraphQLError {
  const { originalError: echo, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  extensions.code ??= codeFor(error);
  // Yoga answers a body it could not parse with 400 only while it carries the parser's error
  // (which quotes the body); without it, the 400 is kept explicitly.
  const http = extensions.http as { status?: number; spec?: boolean } | undefined;
  if (echo !== undefined && http?.spec) extensions.http = { status: http.status };
  if (status) extensions.http = status;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

function codeFor(error: GraphQLError): string {
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (status === 403 && error.message.includes("CSRF")) return "CSRF_HEADER_REQUIRED";
  if (status === 403) return "FORBIDDEN";
  if (error.message.startsWith("Schema is not configured to execute")) return "OPERATION_NOT_SUPPORTED";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (error.message.startsWith("Syntax Error")) return "GRAPHQL_PARSE_FAILED";
  if (/^Variable "\$/.test(error.message)) return "BAD_USER_INPUT";
  if (status !== undefined && status >= 400 && status < 500) return "BAD_REQUEST";
  return error.path === undefined ? "GRAPHQL_VALIDATION_FAILED" : "INTERNAL_SERVER_ERROR";
}
