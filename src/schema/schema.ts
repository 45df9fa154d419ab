import { printSubgraphSchema } from "@apollo/subgraph";
import { builder } from "./builder.js";
import "./oauth-client.js";

/**
 * A Federation 2 subgraph schema: OAuthClient is an entity keyed by `id`; the permission
 * table and the cost model are declared with the directives of Federation 2.9.
 */
export const schema = builder.toSubGraphSchema({ linkUrl: "https://specs.apollo.dev/federation/v2.9" });

/** The subgraph SDL, as the gateway sees it: committed as schema.graphql. */
export function printSchemaSDL(): string {
  return `${printSubgraphSchema(schema).trim()}\n`;
}
