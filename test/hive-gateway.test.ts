import { parse } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startApplicationsSubgraph } from "../src/dev-supergraph/applications-subgraph.js";
import { composeGuild } from "../src/dev-supergraph/compose.js";
import { type RunningGateway, startGateway } from "../src/dev-supergraph/gateway.js";
import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";

/**
 * The supergraph served by Hive Gateway, a second real router: its runtime on loopback in
 * front of this service and a second subgraph. Once forwarding the caller's token only (the
 * subgraph enforces), once enforcing `@requiresScopes` itself with its JWT plugin pointed at
 * the development issuer's keys (the subgraph still enforces behind it). The runtime loads
 * `@graphql-mesh/transport-http` by name when it first calls a subgraph: a devDependency
 * no import names (knip.json says so).
 */

let stack: Stack;
let applications: Awaited<ReturnType<typeof startApplicationsSubgraph>>;
let forwarding: RunningGateway;
let enforcing: RunningGateway;
/** HTTP requests that reached this service (the facade), whatever became of them. */
let facadeRequests = 0;

beforeAll(async () => {
  stack = await startStack();
  stack.facade.server.on("request", () => {
    facadeRequests += 1;
  });
  applications = await startApplicationsSubgraph();
  const { body } = await stack.graphql(`{ _service { sdl } }`, { token: null });
  const supergraph = composeGuild([
    { name: "oauth-clients", typeDefs: parse(body.data!._service.sdl), url: stack.facade.graphqlUrl },
    { name: "applications", typeDefs: applications.typeDefs, url: applications.url },
  ]);
  forwarding = await startGateway({ supergraph, issuer: stack.upstream, enforce: false });
  enforcing = await startGateway({ supergraph, issuer: stack.upstream, enforce: true });
});
afterAll(async () => {
  await enforcing?.close();
  await forwarding?.close();
  await applications?.close();
  await stack?.close();
});
beforeEach(() => stack.resetUpstreamStats());

interface Answer {
  status: number;
  data?: any;
  errors?: { message: string; extensions?: any; path?: unknown[] }[];
  extensions?: any;
}

async function ask(gateway: RunningGateway, query: string, token: string | null): Promise<Answer> {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

const CLIENTS_OF_APPLICATIONS = `{ applications { name clients { id name } } }`;
const SECRETS_OF_APPLICATIONS = `{ applications { name clients { id name clientSecret } } }`;

/**
 * The one error expected of a join: the application listing a client id the upstream does not
 * know, null in its place with NOT_FOUND (Hive Gateway names the list, not the item, in its path).
 */
function expectOnlyTheUnknownClientMissing(answer: Answer) {
  expect(answer.errors).toHaveLength(1);
  expect(answer.errors![0]!.path?.slice(0, 3)).toEqual(["applications", 1, "clients"]);
  expect(answer.errors![0]!.extensions).toMatchObject({ code: "NOT_FOUND" });
  expect(answer.data.applications[1].clients[3]).toBeNull();
}

describe("Hive Gateway forwarding the caller's token, the subgraph enforcing", () => {
  it("gives a read token the OAuth clients of every application, across both subgraphs", async () => {
    const answer = await ask(forwarding, CLIENTS_OF_APPLICATIONS, await stack.mint([READ]));
    expectOnlyTheUnknownClientMissing(answer);
    expect(answer.data.applications[0]).toEqual({
      name: "My App",
      clients: [
        { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" },
        { id: fixtureClientId(1), name: "Fixture client 01" },
      ],
    });
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 5 });
  });

  it("gives a read token no secret: the subgraph refuses the field", async () => {
    const answer = await ask(forwarding, SECRETS_OF_APPLICATIONS, await stack.mint([READ]));
    expect(answer.data.applications[0].clients[0]).toEqual({
      id: EXAMPLE_CLIENT_ID,
      name: "My OAuth App",
      clientSecret: null,
    });
    expect(answer.errors!.some((error) => error.extensions?.code === "FORBIDDEN")).toBe(true);
    expect((await stack.upstreamStats()).recent.every((call) => !call.includeSecret)).toBe(true);
  });

  it("gives a manage token the secrets", async () => {
    const answer = await ask(forwarding, SECRETS_OF_APPLICATIONS, await stack.mint([READ, MANAGE]));
    expectOnlyTheUnknownClientMissing(answer);
    expect(answer.data.applications[0].clients[0].clientSecret).toMatch(/^sk_live_/);
  });

  it("refuses a token without the read scope the OAuth clients, making no upstream call", async () => {
    const answer = await ask(forwarding, CLIENTS_OF_APPLICATIONS, await stack.mint(["profile"]));
    expect(answer.errors!.some((error) => error.extensions?.code === "FORBIDDEN")).toBe(true);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("refuses a caller without a token", async () => {
    const answer = await ask(forwarding, CLIENTS_OF_APPLICATIONS, null);
    expect(answer.errors!.some((error) => error.extensions?.code === "UNAUTHENTICATED")).toBe(true);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });
});

describe("Hive Gateway enforcing @requiresScopes with its JWT plugin, before any fetch", () => {
  it("gives a read token the OAuth clients, asking this service for them", async () => {
    const before = facadeRequests;
    const answer = await ask(enforcing, CLIENTS_OF_APPLICATIONS, await stack.mint([READ]));
    expectOnlyTheUnknownClientMissing(answer);
    expect(facadeRequests).toBeGreaterThan(before);
    expect(answer.data.applications[1].clients[0]).toEqual({ id: fixtureClientId(1), name: "Fixture client 01" });
  });

  it("strips the secret from a read token's operation at the gateway: the upstream is never asked for it", async () => {
    const answer = await ask(enforcing, SECRETS_OF_APPLICATIONS, await stack.mint([READ]));
    expect(answer.errors!.map((error) => error.extensions?.code)).toContain("UNAUTHORIZED_FIELD_OR_TYPE");
    expect(answer.data.applications[0].clients[0]).toEqual({
      id: EXAMPLE_CLIENT_ID,
      name: "My OAuth App",
      clientSecret: null,
    });
    const stats = await stack.upstreamStats();
    expect(stats.calls.GetClient).toBeGreaterThan(0);
    expect(stats.recent.every((call) => !call.includeSecret)).toBe(true);
  });

  it("refuses a regeneration to a read token without any request reaching this service", async () => {
    const before = facadeRequests;
    const answer = await ask(
      enforcing,
      `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`,
      await stack.mint([READ]),
    );
    expect(answer.errors![0]!.extensions.code).toBe("UNAUTHORIZED_FIELD_OR_TYPE");
    expect(facadeRequests).toBe(before);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("refuses a token without the read scope the OAuth clients, asking this service nothing", async () => {
    const before = facadeRequests;
    const answer = await ask(enforcing, CLIENTS_OF_APPLICATIONS, await stack.mint(["profile"]));
    expect(answer.errors!.map((error) => error.extensions?.code)).toContain("UNAUTHORIZED_FIELD_OR_TYPE");
    expect(facadeRequests).toBe(before);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("refuses a caller without a token with a 401, fetching nothing", async () => {
    const before = facadeRequests;
    const answer = await ask(enforcing, CLIENTS_OF_APPLICATIONS, null);
    expect(answer.status).toBe(401);
    expect(facadeRequests).toBe(before);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("gives a manage token the secret, past both enforcers", async () => {
    const answer = await ask(enforcing, SECRETS_OF_APPLICATIONS, await stack.mint([READ, MANAGE]));
    expectOnlyTheUnknownClientMissing(answer);
    expect(answer.data.applications[0].clients[0].clientSecret).toMatch(/^sk_live_/);
  });
});

describe("Hive Gateway's demand control prices an operation as this service does", () => {
  const operations = [
    `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name isVerified } }`,
    `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id clientSecret } }`,
    `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { applicationBindings { applicationId config { jsonConfig } } } }`,
    `{ a: oauthClient(id: "${fixtureClientId(1)}") { name } b: oauthClient(id: "${fixtureClientId(2)}") { clientSecret allowedDelegators } }`,
  ];

  for (const query of operations) {
    it(`agrees on ${query.replaceAll(/"[^"]+"/g, '"…"')}`, async () => {
      const answer = await ask(enforcing, query, await stack.mint([READ, MANAGE]));
      expect(answer.errors).toBeUndefined();
      // The service's own estimate, read off its refusal at a limit of 1.
      const strict = await startStack({ LIMIT_MAX_COST: "1" });
      try {
        const { body } = await strict.graphql(query);
        const own = Number(/estimated (\d+)/.exec(body.errors![0]!.message)![1]);
        expect(answer.extensions.cost.estimated).toBe(own);
      } finally {
        await strict.close();
      }
    });
  }
});
