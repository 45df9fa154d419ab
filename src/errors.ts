import { type FieldNode, GraphQLError, type GraphQLErrorOptions } from "graphql";
import { UNAUTHENTICATED_REASONS, type UnauthenticatedReason } from "./auth/verifier.js";
import type { SafeDetails, UpstreamError } from "./upstream/upstream-error.js";

/**
 * The error catalog: every code a caller can find in `extensions.code`, defined once, with
 * what it means, its fixed message and the shape of its extensions; every place that refuses
 * builds its error here. The error table of docs/frontend.md is this table (a test compares them).
 */

export const ERROR_CODES = {
  UNAUTHENTICATED: "no valid bearer token where one is needed; `extensions.reason` says what is wrong with it",
  FORBIDDEN: "the token lacks the scope a field needs (`extensions.requiredScope(s)`), or the upstream refused it",
  BAD_USER_INPUT: "an argument or variable that is not valid (`extensions.argumentName`); costs no upstream call",
  NOT_FOUND:
    "the OAuth client does not exist: a rotation's alias, or an entity reference's place in `_entities`, answers `null` with it (`oauthClient` answers `null` alone)",
  DUPLICATE_ROTATION: "a client's secret asked to be replaced twice in one HTTP request, refused before either",
  SECRET_NOT_SELECTED:
    "a rotation that does not select `client { clientSecret }`, refused before any: its new secret would be lost",
  QUERY_LIMIT_EXCEEDED: "a bound of the request was exceeded; `extensions.limit` names which",
  UPSTREAM_UNAVAILABLE: "the upstream could not be reached, or said it is unavailable",
  UPSTREAM_TIMEOUT: "the upstream did not answer within the request's time budget",
  UPSTREAM_OUTCOME_UNKNOWN: "a rotation was sent and no answer says whether it happened: read the secret back",
  RATE_LIMITED: "the upstream refused for load (`extensions.retryAfterMs` when it says when to retry)",
  INTERNAL_SERVER_ERROR: "anything unexpected, masked: the details are in the service's logs",
  GRAPHQL_PARSE_FAILED: "the document is not GraphQL",
  GRAPHQL_VALIDATION_FAILED: "the document does not fit the schema",
  OPERATION_NOT_SUPPORTED: "a subscription: this service has none",
  BAD_REQUEST: "an HTTP request that is not GraphQL over HTTP (a body that is not JSON, too large, without a length)",
  METHOD_NOT_ALLOWED: "a mutation over GET, or a method GraphQL over HTTP has no use for",
  CSRF_HEADER_REQUIRED: "a GET (or a simple form post) with neither an `x-graphql-csrf` nor an `Authorization` header",
  HOST_NOT_ALLOWED: "development only: a `Host` that is neither loopback nor in `ALLOWED_HOSTS`",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Which bound refused: the value of `extensions.limit` with QUERY_LIMIT_EXCEEDED. */
export type Limit =
  | "document_bytes"
  | "document_lines"
  | "expanded_selections"
  | "validation"
  | "depth"
  | "aliases"
  | "tokens"
  | "directives"
  | "introspection"
  | "cost"
  | "representations"
  | "upstream_calls"
  | "response_size";

/** How Yoga answers a refusal: `spec` applies the status only for application/graphql-response+json. */
interface HttpExtension {
  status?: number;
  spec?: boolean;
}

declare module "graphql" {
  interface GraphQLErrorExtensions {
    code?: ErrorCode;
    limit?: Limit;
    /** UNAUTHENTICATED: what is wrong with the token; from the upstream, its ErrorInfo reason. */
    reason?: string;
    requiredScope?: string;
    requiredScopes?: readonly string[];
    argumentName?: string;
    clientId?: string;
    upstreamCode?: string;
    fieldViolations?: SafeDetails["fieldViolations"];
    retryAfterMs?: number;
    http?: HttpExtension;
  }
}

/** A refusal made before anything ran: a 400 for callers that accept application/graphql-response+json. */
const BEFORE_EXECUTION: HttpExtension = { status: 400, spec: true };

type Extensions = NonNullable<GraphQLErrorOptions["extensions"]>;

function typed(code: ErrorCode, message: string, extensions: Extensions = {}, options: GraphQLErrorOptions = {}) {
  return new GraphQLError(message, { ...options, extensions: { code, ...extensions } });
}

export function unauthenticated(reason: UnauthenticatedReason): GraphQLError {
  return typed("UNAUTHENTICATED", `Authentication required. ${UNAUTHENTICATED_REASONS[reason]}`, { reason });
}

/** The schema (`_service`) is shown only to authenticated callers when introspection is off. */
export function schemaHidden(reason: UnauthenticatedReason): GraphQLError {
  return typed("UNAUTHENTICATED", "The schema is shown only to authenticated callers.", { reason });
}

/** A field the token's scopes do not reach; the refusal names them as the permission table does. */
export function missingScope(scopes: readonly string[], described: string): GraphQLError {
  return typed(
    "FORBIDDEN",
    `This field requires ${described}.`,
    scopes.length === 1 ? { requiredScope: scopes[0] } : { requiredScopes: scopes },
  );
}

/** A root field the permission table does not cover. */
export function notAvailable(): GraphQLError {
  return typed("FORBIDDEN", "This field is not available to any caller.");
}

export function badUserInput(message: string, argumentName: string): GraphQLError {
  return typed("BAD_USER_INPUT", message, { argumentName });
}

/** An `_entities` representation this subgraph cannot resolve, refused before any of them runs. */
export function badRepresentation(index: number, problem: string): GraphQLError {
  return typed("BAD_USER_INPUT", `representations[${index}] ${problem}`, {
    argumentName: "representations",
    http: BEFORE_EXECUTION,
  });
}

/** An entity reference (from another subgraph) to a client the upstream does not know. */
export function entityNotFound(clientId: string): GraphQLError {
  return typed("NOT_FOUND", "No OAuth client has that id.", { clientId });
}

/** A bound refused the operation before it ran. */
export function limitExceeded(limit: Limit, message: string): GraphQLError {
  return typed("QUERY_LIMIT_EXCEEDED", message, { limit, http: BEFORE_EXECUTION });
}

/** What graphql-armor's refusals are made into: its message, our code and limit. */
export function limitExtensions(limit: Limit): Extensions {
  return { code: "QUERY_LIMIT_EXCEEDED", limit, http: BEFORE_EXECUTION };
}

/** A bound stopped part of an operation while it ran: no HTTP status of its own. */
export function limitReached(limit: Limit, message: string): GraphQLError {
  return typed("QUERY_LIMIT_EXCEEDED", message, { limit });
}

/** A second rotation of the same OAuth client's secret in one HTTP request, refused before either runs. */
export function duplicateRotation(clientId: string): GraphQLError {
  return typed(
    "DUPLICATE_ROTATION",
    `The secret of ${clientId} may be replaced at most once per request; this operation asks for it again.`,
    { clientId, http: BEFORE_EXECUTION },
  );
}

/** A rotation whose answer would not carry the new secret, refused before any rotation of its operation. */
export function secretNotSelected(field: FieldNode): GraphQLError {
  const alias = field.alias?.value ?? field.name.value;
  return typed(
    "SECRET_NOT_SELECTED",
    `${alias} replaces a secret without selecting client { clientSecret }: the new secret is shown only in this answer, and the old one stops working. Nothing was replaced.`,
    { http: BEFORE_EXECUTION },
    { nodes: field },
  );
}

/** A refusal decided before execution, located at the field it is about. */
export function locatedAt(error: GraphQLError, field: FieldNode): GraphQLError {
  return new GraphQLError(error.message, { nodes: field, extensions: { ...error.extensions, http: BEFORE_EXECUTION } });
}

/**
 * What a caller is told when the upstream fails: a stable code and a fixed message. The
 * upstream's own message and anything else about it stay on this side.
 */
const UPSTREAM_FAILURES: Partial<Record<UpstreamError["code"], { code: ErrorCode; message: string }>> = {
  not_found: { code: "NOT_FOUND", message: "No OAuth client has that id." },
  invalid_argument: { code: "BAD_USER_INPUT", message: "The upstream rejected the request as invalid." },
  unauthenticated: { code: "UNAUTHENTICATED", message: "The upstream did not accept the credentials." },
  permission_denied: { code: "FORBIDDEN", message: "The credentials do not allow this operation." },
  unavailable: { code: "UPSTREAM_UNAVAILABLE", message: "The OAuth clients service is unavailable." },
  deadline_exceeded: { code: "UPSTREAM_TIMEOUT", message: "The OAuth clients service did not answer in time." },
  resource_exhausted: { code: "RATE_LIMITED", message: "Too many requests to the OAuth clients service." },
};

const OUTCOME_UNKNOWN = {
  code: "UPSTREAM_OUTCOME_UNKNOWN",
  message:
    "The OAuth clients service did not say whether the secret was replaced: it may have been. Read the client's clientSecret back before using or replacing it again.",
} as const;

/** The caller's view of an upstream failure, or undefined for one that is only masked. */
export function upstreamFailure(error: UpstreamError, options: GraphQLErrorOptions): GraphQLError | undefined {
  const mapped = error.outcomeUnknown ? OUTCOME_UNKNOWN : UPSTREAM_FAILURES[error.code];
  if (!mapped) return undefined;
  return typed(mapped.code, mapped.message, { upstreamCode: error.code, ...error.details }, options);
}

/**
 * The errors libraries make (graphql-js, Yoga and its plugins), recognised by their message
 * where nothing stabler exists; `test/error-catalog.test.ts` produces each with the installed
 * versions, so an upgrade that rewords one fails a test rather than a caller.
 */
export const LIBRARY_MESSAGES = {
  CSRF_HEADER_REQUIRED: /CSRF header/,
  OPERATION_NOT_SUPPORTED: /^Schema is not configured to execute/,
  GRAPHQL_PARSE_FAILED: /^Syntax Error/,
  BAD_USER_INPUT: /^Variable "\$/,
} as const satisfies Partial<Record<ErrorCode, RegExp>>;

/**
 * The code of an error a library made: by its HTTP status where Yoga set one, by its message
 * (LIBRARY_MESSAGES) otherwise; a request-level 4xx without a better match is BAD_REQUEST, an
 * error outside execution (no path) a validation failure.
 */
export function codeOfLibraryError(error: GraphQLError): ErrorCode {
  const status = error.extensions.http?.status;
  if (status === 403 && LIBRARY_MESSAGES.CSRF_HEADER_REQUIRED.test(error.message)) return "CSRF_HEADER_REQUIRED";
  if (status === 403) return "FORBIDDEN";
  if (LIBRARY_MESSAGES.OPERATION_NOT_SUPPORTED.test(error.message)) return "OPERATION_NOT_SUPPORTED";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (LIBRARY_MESSAGES.GRAPHQL_PARSE_FAILED.test(error.message)) return "GRAPHQL_PARSE_FAILED";
  if (LIBRARY_MESSAGES.BAD_USER_INPUT.test(error.message)) return "BAD_USER_INPUT";
  if (status !== undefined && status >= 400 && status < 500) return "BAD_REQUEST";
  return error.path === undefined ? "GRAPHQL_VALIDATION_FAILED" : "INTERNAL_SERVER_ERROR";
}

/** The JSON body of a refusal made below GraphQL, by the HTTP guards. */
export function httpRefusalBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}
