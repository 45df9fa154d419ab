import { printSubgraphSchema } from "@apollo/subgraph";
import { builder } from "./builder.js";
import "./oauth-client.js";

/** A Federation 2 subgraph schema: OAuthClient is an entity keyed by `id`. */
export const schema = builder.toSubGraphSchema({
  linkUrl: "https://specs.apollo.dev/federation/v2.6",
  federationDirectives: ["@key"],
});

/** The subgraph SDL, as the gateway sees it: committed as schema.graphql. */
export function printSchemaSDL(): string {
  return `${printSubgraphSchema(schema).trim()}\n`;
}
