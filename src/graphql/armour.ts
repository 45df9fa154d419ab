import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../config.js";

/** The header that marks a request as not forgeable by a plain HTML form or link. */
export const CSRF_HEADER = "x-graphql-csrf";

/**
 * Limits against hostile operations (graphql-armor): depth, aliases, tokens, directives
 * and cost. Each rejection says which limit, with `extensions.code` QUERY_LIMIT_EXCEEDED.
 */
export function limitPlugins(limits: LimitsConfig, introspection: boolean): Plugin[] {
  const tag = (limit: string) => ({
    exposeLimits: true,
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        Object.assign(error.extensions, { code: "QUERY_LIMIT_EXCEEDED", limit });
      },
    ],
  });
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...tag("depth") },
    maxAliases: { n: limits.maxAliases, ...tag("aliases") },
    maxTokens: { n: limits.maxTokens, ...tag("tokens") },
    maxDirectives: { n: limits.maxDirectives, ...tag("directives") },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...tag("cost") },
    // With introspection on, field suggestions reveal nothing new and help people.
    blockFieldSuggestion: { enabled: !introspection },
  });
  return [
    ...(armor.protect().plugins as Plugin[]),
    ...(limits.csrfPrevention ? [useCSRFPrevention({ requestHeaders: [CSRF_HEADER] })] : []),
  ];
}
