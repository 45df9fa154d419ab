import { type ExecutionResult, GraphQLError } from "graphql";
import { type MaskError, maskError as maskUnexpected, type Plugin } from "graphql-yoga";
import { codeOfLibraryError, ERROR_CODES, upstreamFailure } from "../errors.js";
import type { Logger } from "../logger.js";
import { UpstreamError } from "../upstream/upstream-error.js";

/** Yoga's error mask: upstream failures get their catalogued code; anything unexpected is masked. */
export function createErrorMasker(logger: Logger): MaskError {
  return (error, message) => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof UpstreamError) {
      // The upstream's message is logged, never its stack: there is nothing of ours in it.
      logger.warn(
        { procedure: original.procedure, upstreamCode: original.code, reason: original.message },
        "upstream call failed",
      );
      const located =
        error instanceof GraphQLError
          ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path }
          : {};
      const failure = upstreamFailure(original, located);
      if (failure) return failure;
    } else if (!(original instanceof GraphQLError)) {
      // Typed GraphQL errors (bad input, permissions, limits) are answers, not faults.
      logger.error({ err: original }, "unexpected error while resolving");
    }
    return maskUnexpected(error, message, false);
  };
}

/**
 * Every error a caller gets carries `extensions.code`: the ones GraphQL and Yoga make
 * themselves (parse, validation, variables, request shape) get theirs from the catalog here,
 * and nothing of the caller's own body is echoed back.
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
  if (!("data" in result) && result.errors?.some((error) => error.extensions.http === undefined)) {
    return {
      ...result,
      errors: result.errors.map((error) =>
        typed(error, error.extensions.http === undefined ? { status: 400, spec: true } : undefined),
      ),
    };
  }
  if (!result.errors?.some((error) => !hasCatalogCode(error) || "originalError" in error.extensions)) return result;
  return { ...result, errors: result.errors.map((error) => typed(error)) };
}

/**
 * Whether an error's code is the catalog's: a library's own is kept only where the catalog has
 * it and says the same (Yoga calls a mutation over GET BAD_REQUEST; its status, 405, says
 * METHOD_NOT_ALLOWED).
 */
function hasCatalogCode(error: GraphQLError): boolean {
  const { code, http } = error.extensions;
  return typeof code === "string" && code in ERROR_CODES && http?.status !== 405;
}

function typed(error: GraphQLError, status?: { status: number; spec: true }): GraphQLError {
  const { originalError: echo, ...extensions } = error.extensions;
  if (!hasCatalogCode(error)) extensions.code = codeOfLibraryError(error);
  // Yoga answers a body it could not parse with 400 only while it carries the parser's error
  // (which quotes the body); without it, the 400 is kept explicitly.
  if (echo !== undefined && extensions.http?.spec) extensions.http = { status: extensions.http.status };
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
