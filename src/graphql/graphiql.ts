import type { GraphiQLOptions } from "graphql-yoga";

/**
 * The operation GraphiQL opens with: operations/ExampleClient.graphql, the README's example
 * (a test keeps the two the same), with the example client's id as its variable.
 */
export const EXAMPLE_OPERATION = `# The README's example query: a client without its secret.
query ExampleClient($id: ID!) {
  oauthClient(id: $id) {
    id
    name
    redirectUri
    isVerified
    createdAt
    applicationBindings {
      applicationId
      config {
        jsonConfig
      }
    }
  }
}
`;

const EXAMPLE_VARIABLES = { id: "550e8400-e29b-41d4-a716-446655440000" };

/** GraphiQL's page options; a token, when given, goes in its headers so the example runs as is. */
export function graphiqlOptions(token: string | undefined): GraphiQLOptions & { variables: string } {
  return {
    title: "oauth-clients-graph",
    defaultQuery: EXAMPLE_OPERATION,
    // Yoga's GraphiQL passes this on as the variables editor's first content; its type omits it.
    variables: JSON.stringify(EXAMPLE_VARIABLES, null, 2),
    headers: token ? JSON.stringify({ Authorization: `Bearer ${token}` }) : undefined,
  };
}
