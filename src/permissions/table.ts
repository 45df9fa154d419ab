import type { GraphQLError } from "graphql";
import { SCOPE_MANAGE, SCOPE_READ } from "../auth/scopes.js";
import type { Auth } from "../auth/verifier.js";
import { missingScope, notAvailable, unauthenticated } from "../errors.js";

/** Marks a field anyone may use, without a token. */
export const PUBLIC = "public";

/** What a coordinate needs: PUBLIC, or a token carrying any one of the listed scopes. */
export type Requirement = typeof PUBLIC | readonly string[];

/**
 * Which scopes each schema coordinate needs: the whole permission model in one table.
 * A key is a field ("Type.field") or a whole type ("Type": each of its fields without an
 * entry of its own). A root field that is not covered is denied; other fields are open.
 *
 * Who reads it: graphql-shield enforces it (`shield.ts`); a mutation is checked whole before it
 * runs (`whole-operation.ts`); the permission verdict lets execution skip shield where it would
 * allow everything (`verdict.ts`); the published SDL declares it to routers as
 * `@authenticated` and `@requiresScopes`, and field descriptions name it
 * (`src/schema/router-directives.ts`); a read asks the upstream for the secret only where it
 * allows it (`src/schema/oauth-client.ts`); the token CLI lists its scopes
 * (`src/dev-upstream/token.ts`); docs/security.md prints it (a test compares them). Reading the
 * schema without introspection is WITHOUT_INTROSPECTION's, below.
 */
export const REQUIRED_SCOPES: Readonly<Record<string, Requirement>> = {
  "Query.oauthClient": [SCOPE_READ],
  // Entity fetches by a gateway are reads like any other: no back door around the scope.
  "Query._entities": [SCOPE_READ],
  // The subgraph SDL, for gateways composing the supergraph; it says no more than introspection.
  "Query._service": PUBLIC,
  "Mutation.regenerateClientSecret": [SCOPE_MANAGE],
  // Declared on the entity so a router checks references from other subgraphs too. Manage
  // suffices: the upstream answers RegenerateSecret with the whole client, to be read.
  OAuthClient: [SCOPE_READ, SCOPE_MANAGE],
  // A secret is a credential: a read-only caller sees every other field of the OAuth client.
  "OAuthClient.clientSecret": [SCOPE_MANAGE],
};

/**
 * Where introspection is off (production's default), reading the schema is narrower than the
 * rules above: `__schema` and `__type` answer nobody, and the subgraph SDL only a caller with a
 * verified token (a gateway composing with its own). src/graphql/schema-visibility.ts applies it.
 */
export const WITHOUT_INTROSPECTION: Readonly<Record<string, "nobody" | "authenticated">> = {
  "Query.__schema": "nobody",
  "Query.__type": "nobody",
  "Query._service": "authenticated",
};

export const ROOT_TYPES = ["Query", "Mutation"];

/** Every scope the table names: of a caller's scopes, only these mean anything here. */
export const KNOWN_SCOPES: readonly string[] = [
  ...new Set(Object.values(REQUIRED_SCOPES).flatMap((requirement) => (requirement === PUBLIC ? [] : requirement))),
];

/** The requirement on a field ("Type.field"): its own entry, else its type's, else none. */
export function requirementOf(coordinate: string): Requirement | undefined {
  return REQUIRED_SCOPES[coordinate] ?? REQUIRED_SCOPES[coordinate.split(".")[0]!];
}

/** Whether this caller may resolve the field at `coordinate` ("Type.field"). */
export function isAllowed(auth: Auth, coordinate: string): boolean {
  const requirement = requirementOf(coordinate);
  if (requirement === undefined) return !ROOT_TYPES.includes(coordinate.split(".")[0]!);
  return requirement === PUBLIC || (auth.authenticated && requirement.some((scope) => auth.scopes.has(scope)));
}

/** Why this caller may not meet `requirement` (undefined: it may); an uncovered root field is `undefined`. */
export function refusalOf(auth: Auth, requirement: Requirement | undefined): GraphQLError | undefined {
  if (requirement === undefined) return notAvailable();
  if (requirement === PUBLIC) return undefined;
  if (!auth.authenticated) return unauthenticated(auth.reason);
  if (requirement.some((scope) => auth.scopes.has(scope))) return undefined;
  return missingScope(requirement, describeScopes(requirement));
}

/** Why this caller may not resolve the field at `coordinate`, as graphql-shield would refuse it. */
export function refusalAt(auth: Auth, coordinate: string): GraphQLError | undefined {
  if (isAllowed(auth, coordinate)) return undefined;
  return refusalOf(auth, requirementOf(coordinate));
}

/** The requirement in words, as a caller reads it in a description or a refusal. */
export function describeScopes(scopes: readonly string[]): string {
  return scopes.length === 1 ? `the scope ${scopes[0]}` : `one of the scopes ${scopes.join(", ")}`;
}
