import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { createYoga } from "graphql-yoga";

/**
 * A second, small subgraph, for the local supergraph and the federation tests: applications that list the ids of
 * their OAuth clients, and reference OAuthClient entities owned by the facade.
 */

const APPLICATIONS: Record<string, { name: string; clientIds: string[] }> = {
  app_prod_myapp: {
    name: "My App",
    clientIds: ["550e8400-e29b-41d4-a716-446655440000", "00000000-0000-4000-8000-000000000001"],
  },
  app_fixtures: {
    name: "Fixtures",
    clientIds: [
      "00000000-0000-4000-8000-000000000001",
      "00000000-0000-4000-8000-000000000002",
      "00000000-0000-4000-8000-000000000003",
      // No such client: the gateway gets null for it.
      "00000000-0000-4000-8000-000000000099",
    ],
  },
};

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Application @key(fields: "id") {
    id: ID!
    name: String!
    clients: [OAuthClient]!
  }

  type OAuthClient @key(fields: "id", resolvable: false) {
    id: ID!
  }

  type Query {
    applications: [Application!]!
  }
`);

const resolvers = {
  Query: {
    applications: () => Object.entries(APPLICATIONS).map(([id, app]) => ({ id, ...app })),
  },
  Application: {
    clients: (app: { clientIds: string[] }) => app.clientIds.map((id) => ({ __typename: "OAuthClient", id })),
  },
};

export async function startApplicationsSubgraph() {
  const yoga = createYoga({ schema: buildSubgraphSchema({ typeDefs, resolvers }), logging: false });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    typeDefs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
