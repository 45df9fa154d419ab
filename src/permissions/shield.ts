import { GraphQLError, type GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { allow, deny, type IRules, rule, shield } from "graphql-shield";
import type { UnauthenticatedReason } from "../auth/verifier.js";
import type { GraphQLContext } from "../context/context.js";
import { PUBLIC, REQUIRED_SCOPES, ROOT_TYPES } from "./table.js";

const reasons: Record<UnauthenticatedReason, string> = {
  missing_token: "No bearer token was sent.",
  malformed_token: "The bearer token is malformed.",
  bad_signature: "The bearer token's signature does not verify.",
  algorithm_not_allowed: "The bearer token is signed with an algorithm that is not accepted.",
  unknown_key: "The bearer token is signed with a key the issuer does not publish.",
  expired: "The bearer token has expired.",
  not_yet_valid: "The bearer token is not valid yet.",
  wrong_issuer: "The bearer token is from an issuer that is not trusted.",
  wrong_audience: "The bearer token is meant for another audience.",
  invalid_claims: "The bearer token's claims are not acceptable.",
  issued_in_future: "The bearer token claims to be issued in the future.",
  too_old: "The bearer token was issued too long ago.",
  unsupported_critical_header: "The bearer token requires an extension that is not supported.",
  keys_unavailable: "The bearer token cannot be verified right now.",
};

function unauthenticatedError(reason: UnauthenticatedReason): GraphQLError {
  return new GraphQLError(`Authentication required. ${reasons[reason]}`, {
    extensions: { code: "UNAUTHENTICATED", reason },
  });
}

const requireScope = (scope: string) =>
  rule(`requireScope(${scope})`, { cache: "contextual" })((_parent, _args, context: GraphQLContext) => {
    if (!context.auth.authenticated) return unauthenticatedError(context.auth.reason);
    if (context.auth.scopes.has(scope)) return true;
    return new GraphQLError(`This field requires the scope ${scope}.`, {
      extensions: { code: "FORBIDDEN", requiredScope: scope },
    });
  });

function ruleTree(): IRules {
  const tree: Record<string, Record<string, unknown>> = Object.fromEntries(
    ROOT_TYPES.map((type) => [type, { "*": deny }]),
  );
  // One rule per scope: shield caches a rule's verdict per request by its name.
  const rules = new Map<string, ReturnType<typeof requireScope>>();
  for (const [coordinate, scope] of Object.entries(REQUIRED_SCOPES)) {
    const [type, field] = coordinate.split(".") as [string, string];
    if (scope !== PUBLIC && !rules.has(scope)) rules.set(scope, requireScope(scope));
    tree[type] = { ...tree[type], [field]: scope === PUBLIC ? allow : rules.get(scope) };
  }
  return tree as IRules;
}

/** The schema with graphql-shield guarding every field, before its resolver runs. */
export function protectSchema(schema: GraphQLSchema): GraphQLSchema {
  const permissions = shield(ruleTree(), {
    fallbackRule: allow,
    // Resolvers' own typed errors (BAD_USER_INPUT, upstream failures) pass through untouched.
    allowExternalErrors: true,
    fallbackError: () =>
      new GraphQLError("This field is not available to any caller.", { extensions: { code: "FORBIDDEN" } }),
  });
  return applyMiddleware(schema, permissions);
}
