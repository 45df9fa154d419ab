import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixtureClientId } from "../src/dev-upstream/seed.js";
import { type Stack, startStack } from "./support/stack.js";

/** `count` aliased oauthClient lookups cycling over `distinct` fixture ids. */
function fanOutQuery(count: number, distinct: number, fields = "id name") {
  const lookups = Array.from(
    { length: count },
    (_, i) => `c${i}: oauthClient(id: "${fixtureClientId((i % distinct) + 1)}") { ${fields} }`,
  );
  return `{ ${lookups.join("\n")} }`;
}

describe("per-request DataLoader", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "2" });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await stack.setUpstreamLatency(0);
    await stack.resetUpstreamStats();
  });

  it("makes exactly one upstream call per distinct id: 20 aliased lookups over 5 ids make 5 calls", async () => {
    const { body } = await stack.graphql(fanOutQuery(20, 5));
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data!)).toHaveLength(20);
    expect(body.data!.c7.id).toBe(fixtureClientId(3));
    const stats = await stack.upstreamStats();
    expect(stats.calls).toEqual({ GetClient: 5 });
    expect(new Set(stats.recent.map((call) => call.clientId))).toEqual(new Set([1, 2, 3, 4, 5].map(fixtureClientId)));
  });

  it("treats ids that differ only in letter case as one lookup", async () => {
    const id = "0b6c1f52-8a3e-4d7b-9c21-5e4f3a2b1c0d";
    const { body } = await stack.graphql(
      `{ a: oauthClient(id: "${id}") { id } b: oauthClient(id: "${id.toUpperCase()}") { id } }`,
    );
    expect(body.data).toEqual({ a: { id }, b: { id } });
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 1 });
  });

  it("loads with and without the secret as separate keys, each once", async () => {
    const { body } = await stack.graphql(
      `{ a: oauthClient(id: "${fixtureClientId(1)}") { name } b: oauthClient(id: "${fixtureClientId(1)}") { clientSecret }
         c: oauthClient(id: "${fixtureClientId(1)}") { clientSecret name } }`,
    );
    expect(body.errors).toBeUndefined();
    const flags = (await stack.upstreamStats()).recent.map((call) => call.includeSecret).sort();
    expect(flags).toEqual([false, true]);
  });

  it("keeps at most UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST calls in flight while still issuing them all", async () => {
    await stack.setUpstreamLatency(40);
    const { body } = await stack.graphql(fanOutQuery(6, 6));
    expect(body.errors).toBeUndefined();
    const stats = await stack.upstreamStats();
    expect(stats.calls).toEqual({ GetClient: 6 });
    expect(stats.maxInFlight).toBe(2);
  });

  it("shares nothing between requests: the same query twice makes its calls twice", async () => {
    await stack.graphql(fanOutQuery(4, 2));
    await stack.graphql(fanOutQuery(4, 2));
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 4 });
  });
});
