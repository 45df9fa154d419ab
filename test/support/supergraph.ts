import { composeServices as composeWithApollo } from "@apollo/composition";
import { type DocumentNode, visit } from "graphql";
import type { Subgraph } from "../../src/dev-supergraph/compose.js";

/** The supergraph SDL, composed as rover and Apollo's tools do. */
export function composeApollo(subgraphs: Subgraph[]): string {
  const result = composeWithApollo(subgraphs);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join("\n"));
  return result.supergraphSdl;
}

const AUTHORIZATION_DIRECTIVES = new Set(["authenticated", "requiresScopes"]);

/**
 * A subgraph SDL without its authorization directives. Apollo Gateway (JS) refuses a
 * supergraph carrying SECURITY features it cannot enforce; a team running it composes
 * without them and relies on the subgraph's own enforcement alone.
 */
export function withoutAuthorizationDirectives(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    Directive: (node) => (AUTHORIZATION_DIRECTIVES.has(node.name.value) ? null : undefined),
  });
}
