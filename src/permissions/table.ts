import { SCOPE_MANAGE, SCOPE_READ } from "../auth/scopes.js";
import type { Auth } from "../auth/verifier.js";

/** Marks a field anyone may use, without a token. */
export const PUBLIC = "public";

/**
 * Which scope each schema coordinate needs: the whole permission model in one table.
 * A root field that is not listed is denied; fields of other types are open unless listed.
 */
export const REQUIRED_SCOPES: Readonly<Record<string, string>> = {
  "Query.oauthClient": SCOPE_READ,
  // Entity fetches by a gateway are reads like any other: no back door around the scope.
  "Query._entities": SCOPE_READ,
  // The subgraph SDL, for gateways composing the supergraph; it says no more than introspection.
  "Query._service": PUBLIC,
  "Mutation.regenerateClientSecret": SCOPE_MANAGE,
  // A secret is a credential: a read-only caller sees every other field of the OAuth client.
  "OAuthClient.clientSecret": SCOPE_MANAGE,
};

export const ROOT_TYPES = ["Query", "Mutation"];

/** Whether this caller may resolve the field at `coordinate` ("Type.field"). */
export function isAllowed(auth: Auth, coordinate: string): boolean {
  const scope = REQUIRED_SCOPES[coordinate];
  if (scope === undefined) return !ROOT_TYPES.includes(coordinate.split(".")[0]!);
  return scope === PUBLIC || (auth.authenticated && auth.scopes.has(scope));
}
