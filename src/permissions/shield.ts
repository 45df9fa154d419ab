import type { GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { allow, deny, type IRules, rule, shield } from "graphql-shield";
import { notAvailable } from "../errors.js";
import type { GraphQLContext } from "../schema/resolver-context.js";
import { PUBLIC, REQUIRED_SCOPES, type Requirement, ROOT_TYPES, refusalOf } from "./table.js";

/** A rule passing a token with any one of `scopes`; the refusal names them as the table does. */
const requireScopes = (scopes: readonly string[]) =>
  rule(`requireScopes(${scopes.join(" ")})`, { cache: "contextual" })(
    (_parent, _args, context: GraphQLContext) => refusalOf(context.auth, scopes) ?? true,
  );

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
    fallbackError: notAvailable,
  });
  return applyMiddleware(schema, permissions);
}
