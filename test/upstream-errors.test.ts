import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { type Stack, startStack } from "./support/stack.js";

let stack: Stack;
beforeAll(async () => {
  // Retries are proven elsewhere; here each injected failure reaches the caller.
  stack = await startStack({ UPSTREAM_RETRIES: "0" });
});
afterAll(() => stack.close());
beforeEach(async () => {
  await stack.failUpstream("unknown", 0);
  await stack.resetUpstreamStats();
});

const QUERY = `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name } }`;
const MUTATION = `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`;

describe("upstream errors become typed GraphQL errors", () => {
  it.each([
    ["invalid_argument", "BAD_USER_INPUT"],
    ["unauthenticated", "UNAUTHENTICATED"],
    ["permission_denied", "FORBIDDEN"],
    ["unavailable", "UPSTREAM_UNAVAILABLE"],
    ["deadline_exceeded", "UPSTREAM_TIMEOUT"],
    ["resource_exhausted", "RATE_LIMITED"],
    ["internal", "INTERNAL_SERVER_ERROR"],
    ["data_loss", "INTERNAL_SERVER_ERROR"],
    ["unknown", "INTERNAL_SERVER_ERROR"],
  ])("upstream %s → %s, with a fixed message and no upstream detail", async (upstreamCode, code) => {
    await stack.failUpstream(upstreamCode, 1);
    const { status, body } = await stack.graphql(QUERY);
    expect(status).toBe(200);
    expect(body.data).toEqual({ oauthClient: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions!.code).toBe(code);
    expect(body.errors![0]!.path).toEqual(["oauthClient"]);
    const text = JSON.stringify(body);
    expect(text).not.toContain("injected failure");
    expect(text).not.toMatch(/stack|\.ts:\d+|node_modules/);

    // The process is unharmed: the next request succeeds.
    const next = await stack.graphql(QUERY);
    expect(next.body).toEqual({ data: { oauthClient: { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" } } });
  });

  it("an upstream failure of the mutation is a typed error and RegenerateSecret is called once", async () => {
    await stack.failUpstream("unavailable", 1);
    const { body } = await stack.graphql(MUTATION);
    expect(body.data).toEqual({ regenerateClientSecret: null });
    expect(body.errors![0]!.extensions!.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(body.errors![0]!.path).toEqual(["regenerateClientSecret"]);
    expect((await stack.upstreamStats()).calls).toEqual({ RegenerateSecret: 1 });
  });

  it("one failing lookup among several leaves the others' data in place", async () => {
    await stack.failUpstream("unavailable", 1);
    const { body } = await stack.graphql(`{
      a: oauthClient(id: "00000000-0000-4000-8000-000000000001") { id }
      b: oauthClient(id: "00000000-0000-4000-8000-000000000002") { id }
    }`);
    expect(body.errors).toHaveLength(1);
    const data = body.data as Record<string, { id: string } | null>;
    expect(Object.values(data).filter((value) => value !== null)).toHaveLength(1);
  });
});
