import { GraphQLError } from "graphql";

/**
 * The refusals this service makes of its own, each a typed GraphQL error (extensions.code). A limit is
 * QUERY_LIMIT_EXCEEDED with `extensions.limit` naming which bound, answered with 400 to
 * callers that accept application/graphql-response+json when nothing ran.
 */

/** Which bound refused: the value of `extensions.limit`. */
export type Limit =
  | "document_bytes"
  | "expanded_selections"
  | "depth"
  | "aliases"
  | "tokens"
  | "directives"
  | "introspection"
  | "cost"
  | "representations"
  | "upstream_calls"
  | "response_size";

export function limitExtensions(limit: Limit) {
  return { code: "QUERY_LIMIT_EXCEEDED", limit, http: { status: 400, spec: true } };
}

/** A bound refused the operation before it ran. */
export function limitExceeded(limit: Limit, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: limitExtensions(limit) });
}

/** A bound stopped part of an operation while it ran: no HTTP status of its own. */
export function limitReached(limit: Limit, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "QUERY_LIMIT_EXCEEDED", limit } });
}

/** A second rotation of the same OAuth client's secret in one HTTP request, refused before either runs. */
export function duplicateRotation(clientId: string): GraphQLError {
  return new GraphQLError(
    `The secret of ${clientId} may be replaced at most once per request; this operation asks for it again.`,
    { extensions: { code: "DUPLICATE_ROTATION", clientId, http: { status: 400, spec: true } } },
  );
}

/** An `_entities` representation this subgraph cannot resolve, refused before any of them runs. */
export function badRepresentation(index: number, problem: string): GraphQLError {
  return new GraphQLError(`representations[${index}] ${problem}`, {
    extensions: { code: "BAD_USER_INPUT", argumentName: "representations", http: { status: 400, spec: true } },
  });
}
