import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";

/** The requests the benchmark and the profiler send, each with a check of its answer. */

const CLIENT_FIELDS = `id name description redirectUri websiteUrl logoUrl supportsRefreshToken supportsImplicitGrant
  supportsDeviceCodeGrant supportsCodeGrant isVerified applicationId usesManagedBuckets
  applicationBindings { applicationId config { jsonConfig } } allowedDelegators backchannelLogoutUri
  backchannelLogoutSessionRequired frontchannelLogoutUri frontchannelLogoutSessionRequired postLogoutRedirectUris
  createdAt updatedAt`;

export interface Scenario {
  id: string;
  title: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
  /** Throws unless one answer is right: no run measures error responses. */
  check(body: any): void;
}

/** The HTTP request that sends a scenario, for autocannon and `fetch` alike. */
export const requestOf = (scenario: Scenario) => ({
  method: "POST" as const,
  headers: scenario.headers,
  body: JSON.stringify(scenario.body),
});

export function scenarios(token: string): Record<"A" | "B" | "C" | "D", Scenario> {
  const graphql = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const expectNoErrors = (body: any) => {
    if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}`);
  };
  return {
    A: {
      id: "A",
      title: "direct Connect GetClient",
      path: "/xeonr.auth.api.v1.ClientsService/GetClient",
      body: { clientId: EXAMPLE_CLIENT_ID, includeSecret: false },
      headers: { ...graphql, "connect-protocol-version": "1" },
      check: (body) => {
        if (body.Client?.name !== "My OAuth App") throw new Error(`unexpected answer: ${JSON.stringify(body)}`);
      },
    },
    B: {
      id: "B",
      title: "oauthClient through the facade",
      path: "/graphql",
      body: {
        query: `query Bench($id: ID!) { oauthClient(id: $id) { ${CLIENT_FIELDS} } }`,
        variables: { id: EXAMPLE_CLIENT_ID },
      },
      headers: graphql,
      check: (body) => {
        expectNoErrors(body);
        if (body.data.oauthClient.name !== "My OAuth App") throw new Error("wrong client");
      },
    },
    C: {
      id: "C",
      title: "fan-out: 50 aliases over 10 ids",
      path: "/graphql",
      body: {
        query: `query FanOut { ${Array.from({ length: 50 }, (_, i) => `c${i}: oauthClient(id: "${fixtureClientId((i % 10) + 1)}") { id name }`).join(" ")} }`,
      },
      headers: graphql,
      check: (body) => {
        expectNoErrors(body);
        if (Object.keys(body.data).length !== 50) throw new Error("fan-out incomplete");
      },
    },
    D: {
      id: "D",
      title: "_entities: 100 representations",
      path: "/graphql",
      body: {
        query: `query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { id name } } }`,
        variables: {
          r: Array.from({ length: 100 }, (_, i) => ({ __typename: "OAuthClient", id: fixtureClientId((i % 10) + 1) })),
        },
      },
      headers: graphql,
      check: (body) => {
        expectNoErrors(body);
        if (body.data._entities.length !== 100) throw new Error("entities incomplete");
      },
    },
  };
}
