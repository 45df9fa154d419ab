import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { parse } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startApplicationsSubgraph } from "../src/dev-supergraph/applications-subgraph.js";
import type { Subgraph } from "../src/dev-supergraph/compose.js";
import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";
import { composeApollo, withoutAuthorizationDirectives } from "./support/supergraph.js";

let stack: Stack;
let applications: Awaited<ReturnType<typeof startApplicationsSubgraph>>;
let gateway: ApolloServer<{ authorization?: string }>;
let gatewayUrl: string;
let subgraphs: Subgraph[];

beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "3" });
  applications = await startApplicationsSubgraph();

  // Compose from the SDL the facade itself serves, as a gateway would.
  const { body } = await stack.graphql(`{ _service { sdl } }`, { token: null });
  subgraphs = [
    { name: "oauth-clients", typeDefs: parse(body.data!._service.sdl), url: stack.facade.graphqlUrl },
    { name: "applications", typeDefs: applications.typeDefs, url: applications.url },
  ];
  // Apollo Gateway cannot enforce @requiresScopes (see the test below): here the subgraph is the only enforcer.
  const [oauthClients, ...others] = subgraphs;
  const supergraphSdl = composeApollo([
    { ...oauthClients!, typeDefs: withoutAuthorizationDirectives(oauthClients!.typeDefs) },
    ...others,
  ]);

  gateway = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization) request.http!.headers.set("authorization", context.authorization);
          },
        }),
    }),
  });
  ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  }));
});
afterAll(async () => {
  await gateway?.stop();
  await applications?.close();
  await stack?.close();
});
beforeEach(() => stack.resetUpstreamStats());

async function viaGateway(query: string, token: string | null) {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return response.json() as Promise<{ data?: any; errors?: { message: string; extensions?: any; path?: unknown[] }[] }>;
}

const APPLICATIONS_WITH_CLIENTS = `{ applications { id name clients { id name isVerified } } }`;

describe("composed into a supergraph behind a real gateway", () => {
  it("is refused by Apollo Gateway, which cannot enforce them, with its authorization directives kept", async () => {
    const gateway = new ApolloGateway({ supergraphSdl: composeApollo(subgraphs) });
    await expect(gateway.load()).rejects.toThrow(/requiresScopes\/v0.1 is for: SECURITY but is unsupported/);
  });

  it("serves the subgraph SDL with OAuthClient as an entity keyed by id", async () => {
    const { body } = await stack.graphql(`{ _service { sdl } }`, { token: null });
    expect(body.data!._service.sdl).toMatch(/type OAuthClient\s+@key\(fields: "id"\)/);
  });

  it("joins applications to their OAuth clients across both subgraphs, with the token forwarded", async () => {
    const result = await viaGateway(APPLICATIONS_WITH_CLIENTS, stack.token);
    expect(result.errors).toBeUndefined();
    expect(result.data.applications).toEqual([
      {
        id: "app_prod_myapp",
        name: "My App",
        clients: [
          { id: EXAMPLE_CLIENT_ID, name: "My OAuth App", isVerified: true },
          { id: fixtureClientId(1), name: "Fixture client 01", isVerified: true },
        ],
      },
      {
        id: "app_fixtures",
        name: "Fixtures",
        clients: [
          { id: fixtureClientId(1), name: "Fixture client 01", isVerified: true },
          { id: fixtureClientId(2), name: "Fixture client 02", isVerified: true },
          { id: fixtureClientId(3), name: "Fixture client 03", isVerified: true },
          null,
        ],
      },
    ]);
    // Five distinct ids (one unknown) behind six references: one upstream call each.
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 5 });
  });

  it("applies field permissions to entity fetches: a read-only token gets no secret through the gateway", async () => {
    const result = await viaGateway(`{ applications { clients { id clientSecret } } }`, await stack.mint([READ]));
    expect(result.data.applications[0].clients[0]).toEqual({ id: EXAMPLE_CLIENT_ID, clientSecret: null });
    expect(result.errors!.every((error) => error.extensions?.code === "FORBIDDEN")).toBe(true);
    expect(result.errors![0]!.extensions!.requiredScope).toBe(MANAGE);
    expect((await stack.upstreamStats()).recent.every((call) => !call.includeSecret)).toBe(true);
  });

  it("refuses entity fetches to a token without the read scope, making no upstream call", async () => {
    const result = await viaGateway(APPLICATIONS_WITH_CLIENTS, await stack.mint(["profile"]));
    expect(result.errors!.length).toBeGreaterThan(0);
    expect(result.errors!.some((error) => error.extensions?.code === "FORBIDDEN")).toBe(true);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("refuses entity fetches without a token", async () => {
    const result = await viaGateway(APPLICATIONS_WITH_CLIENTS, null);
    expect(result.errors!.some((error) => error.extensions?.code === "UNAUTHENTICATED")).toBe(true);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });
});

describe("_entities on the subgraph itself", () => {
  const ENTITIES = `query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on OAuthClient { id name } }
  }`;

  it("resolves 100 representations over 10 distinct ids with 10 upstream calls, within the concurrency bound", async () => {
    await stack.setUpstreamLatency(20);
    try {
      const representations = Array.from({ length: 100 }, (_, i) => ({
        __typename: "OAuthClient",
        id: fixtureClientId((i % 10) + 1),
      }));
      const { body } = await stack.graphql(ENTITIES, { variables: { representations } });
      expect(body.errors).toBeUndefined();
      expect(body.data!._entities).toHaveLength(100);
      expect(body.data!._entities[42]).toEqual({ id: fixtureClientId(3), name: "Fixture client 03" });
      const stats = await stack.upstreamStats();
      expect(stats.calls).toEqual({ GetClient: 10 });
      expect(stats.maxInFlight).toBe(3);
    } finally {
      await stack.setUpstreamLatency(0);
    }
  });

  it("asks for the secret through _entities only when it is selected and allowed", async () => {
    const { body } = await stack.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { clientSecret } } }`,
      { variables: { r: [{ __typename: "OAuthClient", id: EXAMPLE_CLIENT_ID }] } },
    );
    expect(body.data!._entities[0].clientSecret).toMatch(/^sk_live_/);
    expect((await stack.upstreamStats()).recent.map((call) => call.includeSecret)).toEqual([true]);
  });

  it("rejects a malformed representation id with BAD_USER_INPUT and no upstream call", async () => {
    const { body } = await stack.graphql(ENTITIES, {
      variables: { representations: [{ __typename: "OAuthClient", id: "nope" }] },
    });
    expect(body.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    expect((await stack.upstreamStats()).calls).toEqual({});
  });
});
