import type { IncomingMessage, ServerResponse } from "node:http";
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

/**
 * Refuses a request body over the limit before anything reads it: 413 when the declared
 * length is too large, 411 when a body comes without a declared length.
 * Returns true when it answered.
 */
export function refuseOversizedBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): boolean {
  const length = request.headers["content-length"];
  const refuse = (status: number, message: string) => {
    response.writeHead(status, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify({ errors: [{ message, extensions: { code: "BAD_REQUEST" } }] }));
    request.resume();
    return true;
  };
  if (length !== undefined) {
    return Number(length) > maxBytes ? refuse(413, `The request body is larger than ${maxBytes} bytes.`) : false;
  }
  if (request.headers["transfer-encoding"] !== undefined) {
    return refuse(411, "A request body must declare its Content-Length.");
  }
  return false;
}
