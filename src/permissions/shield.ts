import { GraphQLError, type GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { allow, deny, type IRules, rule, shield } from "graphql-shield";
import type { UnauthenticatedReason } from "../auth/verifier.js";
import type { GraphQLContext } from "../context/context.js";
import { describeScopes, PUBLIC, REQUIRED_SCOPES, type Requirement, ROOT_TYPES } from "./table.js";

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

/** A rule passing a token with any one of `scopes`; the refusal names them as the table does. */
const requireScopes = (scopes: readonly string[]) =>
  rule(`requireScopes(${scopes.join(" ")})`, { cache: "contextual" })((_parent, _args, context: GraphQLContext) => {
    if (!context.auth.authenticated) return unauthenticatedError(context.auth.reason);
    const { scopes: held } = context.auth;
    if (scopes.some((scope) => held.has(scope))) return true;
    return new GraphQLError(`This field requires ${describeScopes(scopes)}.`, {
      extensions: {
        code: "FORBIDDEN",
        ...(scopes.length === 1 ? { requiredScope: scopes[0] } : { requiredScopes: scopes }),
      },
    });
  });

function ruleTree(): IRules {
  const tree: Record<string, Record<string, unknown>> = Object.fromEntries(
    ROOT_TYPES.map((type) => [type, { "*": deny }]),
  );
  // One rule per requirement: shield caches a rule's verdict per request by its name.
  const rules = new Map<string, ReturnType<typeof requireScopes>>();
  const ruleFor = (requirement: Requirement) => {
    if (requirement === PUBLIC) return allow;
    const key = requirement.join(" ");
    if (!rules.has(key)) rules.set(key, requireScopes(requirement));
    return rules.get(key)!;
  };
  for (const [coordinate, requirement] of Object.entries(REQUIRED_SCOPES)) {
    // A type's own entry is the default for its fields: shield's "*".
    const [type, field = "*"] = coordinate.split(".") as [string, string?];
    tree[type] = { ...tree[type], [field]: ruleFor(requirement) };
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
