import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { type Stack, startStack } from "./support/stack.js";

/**
 * The subgraph side of federation, spoken to directly: the SDL a composer reads and the
 * `_entities` field a router calls. Routers in front of it: test/hive-gateway.test.ts.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "3" });
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => stack.resetUpstreamStats());

it("serves the committed schema.graphql as the subgraph SDL, OAuthClient an entity keyed by id", async () => {
  // Printed on the first _service query (patches/@pothos+plugin-federation…), then kept.
  for (let ask = 0; ask < 2; ask++) {
    const { body } = await stack.graphql(`{ _service { sdl } }`, { token: null });
    expect(`${body.data!._service.sdl.trim()}\n`).toBe(
      readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"),
    );
    expect(body.data!._service.sdl).toMatch(/type OAuthClient\s+@key\(fields: "id"\)/);
  }
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
