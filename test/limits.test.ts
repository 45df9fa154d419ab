import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cyclingFixtureClientId, EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { CSRF_HEADER } from "../src/graphql/yoga.js";
import { type Stack, startStack } from "./support/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    LIMIT_MAX_DEPTH: "3",
    LIMIT_MAX_ALIASES: "60",
    LIMIT_MAX_TOKENS: "1500",
    LIMIT_MAX_DIRECTIVES: "10",
    LIMIT_MAX_COST: "600",
    LIMIT_MAX_BODY_BYTES: "16384",
    LIMIT_MAX_BATCH: "3",
  });
});
afterAll(() => stack.close());
beforeEach(() => stack.resetUpstreamStats());

async function expectLimit(query: string, limit: string) {
  const { body } = await stack.graphql(query);
  expect(body.data).toBeUndefined();
  expect(body.errors![0]!.extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit });
  expect(body.errors![0]!.message).toMatch(/limit/i);
  expect((await stack.upstreamStats()).calls).toEqual({});
}

describe("query limits", () => {
  it("refuses an operation deeper than LIMIT_MAX_DEPTH, even through fragments", async () => {
    await expectLimit(
      `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { ...Bindings } }
       fragment Bindings on OAuthClient { applicationBindings { config { jsonConfig } } }`,
      "depth",
    );
  });

  it("refuses more aliases than LIMIT_MAX_ALIASES", async () => {
    const lookups = Array.from(
      { length: 61 },
      (_, i) => `a${i}: oauthClient(id: "${cyclingFixtureClientId(i)}") { id }`,
    );
    await expectLimit(`{ ${lookups.join(" ")} }`, "aliases");
  });

  it("refuses more tokens than LIMIT_MAX_TOKENS", async () => {
    await expectLimit(`{ ${"a ".repeat(1600)} }`, "tokens");
  });

  it("refuses more directives than LIMIT_MAX_DIRECTIVES", async () => {
    await expectLimit(`{ __typename ${"@include(if: true) ".repeat(11)} }`, "directives");
  });

  it("refuses an operation costlier than LIMIT_MAX_COST", async () => {
    // 60 lookups, each an upstream call (10) with a list of bindings (10 × 1): 1200.
    const fields = "id name applicationBindings { applicationId }";
    const lookups = Array.from(
      { length: 60 },
      (_, i) => `c${i}: oauthClient(id: "${cyclingFixtureClientId(i)}") { ${fields} }`,
    ).join(" ");
    await expectLimit(`{ ${lookups} }`, "cost");
  });

  it("lets a 50-alias fan-out through", async () => {
    const lookups = Array.from(
      { length: 50 },
      (_, i) => `c${i}: oauthClient(id: "${fixtureClientId((i % 10) + 1)}") { id }`,
    ).join(" ");
    const { body } = await stack.graphql(`{ ${lookups} }`);
    expect(body.errors).toBeUndefined();
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 10 });
  });

  it("keeps introspection (as GraphiQL sends it) within the limits", async () => {
    const { getIntrospectionQuery } = await import("graphql");
    const { body } = await stack.graphql(
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }),
    );
    expect(body.errors).toBeUndefined();
  });
});

describe("HTTP-level limits", () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.token}`, ...headers },
      body,
    });

  it("refuses a body over LIMIT_MAX_BODY_BYTES with 413, before reading it", async () => {
    const response = await post(JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(20_000) } }));
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("runs a batch of up to LIMIT_MAX_BATCH operations and refuses a larger one", async () => {
    const operation = { query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }` };
    const ok = await post(JSON.stringify([operation, operation, operation]));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual(Array(3).fill({ data: { oauthClient: { name: "My OAuth App" } } }));
    const tooMany = await post(JSON.stringify([operation, operation, operation, operation]));
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).errors[0].message).toMatch(/batch/i);
  });

  it("refuses mutations over GET", async () => {
    const query = encodeURIComponent(
      `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`,
    );
    const response = await fetch(`${stack.facade.graphqlUrl}?query=${query}`, {
      headers: { authorization: `Bearer ${stack.token}`, [CSRF_HEADER]: "1", accept: "application/json" },
    });
    expect(response.status).toBe(405);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("refuses a GET without the CSRF preflight header, and serves it with one", async () => {
    const url = `${stack.facade.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`;
    const forged = await fetch(url, { headers: { accept: "application/json" } });
    expect(forged.status).toBe(403);
    const real = await fetch(url, { headers: { accept: "application/json", [CSRF_HEADER]: "1" } });
    expect(await real.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("refuses a form-encoded POST, which a hostile page could forge", async () => {
    const response = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "query=%7B__typename%7D",
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});
