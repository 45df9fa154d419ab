import { EnvelopArmor } from "@escape.tech/graphql-armor";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../../config/config.js";
import { type Limit, limitExtensions } from "../../errors.js";

/**
 * graphql-armor's bounds on the schema's own fields: depth, aliases, tokens (while parsing)
 * and directives, and field suggestions hidden when the schema is. Cost is the schema's own
 * model instead (request-budget.ts), introspection has its own budget (introspection.ts).
 */
export function useArmor(limits: LimitsConfig, introspection: boolean): Plugin[] {
  const tag = (limit: Limit) => ({
    exposeLimits: true,
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        // graphql-armor labels its refusals as syntax errors; they are limits (the wording is
        // pinned by test/hostile-callers.test.ts).
        error.message = error.message.replace(/^Syntax Error: /, "");
        Object.assign(error.extensions, limitExtensions(limit));
      },
    ],
  });
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...tag("depth") },
    maxAliases: { n: limits.maxAliases, ...tag("aliases") },
    maxTokens: { n: limits.maxTokens, ...tag("tokens") },
    maxDirectives: { n: limits.maxDirectives, ...tag("directives") },
    costLimit: { enabled: false },
    // With introspection on, field suggestions reveal nothing new and help people.
    blockFieldSuggestion: { enabled: !introspection },
  });
  return armor.protect().plugins as Plugin[];
}
