import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { ExampleClientDocument, RegenerateSecretDocument } from "./gen/operations.js";
import { type Stack, startStack } from "./support/stack.js";

const HEALTHY = { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" };
const READ_CLIENT = `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name } }`;

/** Nothing of the upstream's own words, HTML, stacks or paths may reach a caller. */
function expectNothingLeaked(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(
    /injected|nginx|<html|Bad Gateway|readMaxBytes|ECONN|socket|stack|\.ts:\d|node_modules|xxxx/i,
  );
}

describe("a misbehaving upstream (no retries, so each fault reaches the caller)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      UPSTREAM_RETRIES: "0",
      LIMIT_REQUEST_TIMEOUT_MS: "800",
      UPSTREAM_MAX_RESPONSE_BYTES: "262144",
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it.each([
    ["resets the connection mid-response", "reset", "UPSTREAM_UNAVAILABLE"],
    ["returns a malformed body", "malformed", "INTERNAL_SERVER_ERROR"],
    ["answers with an HTML 502 from a proxy", "html502", "UPSTREAM_UNAVAILABLE"],
    ["returns a huge body", "huge", "INTERNAL_SERVER_ERROR"],
  ])("%s → %s; the process lives and the next request succeeds", async (_name, kind, code) => {
    await stack.faultUpstream(kind, 1);
    const { status, body } = await stack.graphql(READ_CLIENT);
    expect(status).toBe(200);
    expect(body.data).toEqual({ oauthClient: null });
    expect(body.errors!.map((error) => error.extensions!.code)).toEqual([code]);
    // A masked error says its code and no more: no original error, message or stack.
    for (const error of body.errors!) {
      expect(Object.keys(error.extensions!).filter((key) => !["code", "upstreamCode"].includes(key))).toEqual([]);
      if (code === "INTERNAL_SERVER_ERROR") expect(error.message).toBe("Unexpected error.");
    }
    expectNothingLeaked(body);
    expect((await stack.graphql(READ_CLIENT)).body).toEqual({ data: { oauthClient: HEALTHY } });
  });

  it("is slow past the request's budget → UPSTREAM_TIMEOUT promptly, then recovers", async () => {
    await stack.setUpstreamLatency(5_000);
    const started = Date.now();
    const { body } = await stack.graphql(READ_CLIENT);
    const took = Date.now() - started;
    await stack.setUpstreamLatency(0);
    expect(body.errors!.map((error) => error.extensions!.code)).toEqual(["UPSTREAM_TIMEOUT"]);
    expect(took).toBeLessThan(2_000);
    expectNothingLeaked(body);
    expect((await stack.graphql(READ_CLIENT)).body).toEqual({ data: { oauthClient: HEALTHY } });
  });

  it("is down (connection refused) → UPSTREAM_UNAVAILABLE, then recovers when it is back", async () => {
    await stack.stopUpstream();
    try {
      const { body } = await stack.graphql(READ_CLIENT);
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(["UPSTREAM_UNAVAILABLE"]);
      expectNothingLeaked(body);
    } finally {
      await stack.startUpstreamAgain();
    }
    expect((await stack.graphql(READ_CLIENT)).body).toEqual({ data: { oauthClient: HEALTHY } });
  });
});

describe("deadlines", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      LIMIT_REQUEST_TIMEOUT_MS: "3000",
      UPSTREAM_CALL_TIMEOUT_MS: "60000",
      UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "1",
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it("gives every upstream call the request's remaining budget as its Connect timeout", async () => {
    await stack.setUpstreamLatency(300);
    try {
      await stack.graphql(`{ a: oauthClient(id: "00000000-0000-4000-8000-000000000001") { id }
                            b: oauthClient(id: "00000000-0000-4000-8000-000000000002") { id } }`);
    } finally {
      await stack.setUpstreamLatency(0);
    }
    const [first, second] = (await stack.upstreamStats()).recent.map((call) => call.timeoutMs!);
    expect(first).toBeLessThanOrEqual(3_000);
    expect(first).toBeGreaterThan(2_500);
    // One at a time: the second waited for the first and got what was left.
    expect(second).toBeLessThanOrEqual(first! - 250);
  });

  it("caps each call at UPSTREAM_CALL_TIMEOUT_MS when the budget is larger", async () => {
    const capped = await startStack({ LIMIT_REQUEST_TIMEOUT_MS: "60000", UPSTREAM_CALL_TIMEOUT_MS: "1500" });
    try {
      await capped.graphql(READ_CLIENT);
      expect((await capped.upstreamStats()).recent[0]!.timeoutMs).toBe(1_500);
    } finally {
      await capped.close();
    }
  });
});

describe("retries", () => {
  let stack: Stack;
  // A facade each: its retry throttling remembers the failures earlier tests caused.
  beforeEach(async () => {
    stack = await startStack({ UPSTREAM_RETRIES: "2" });
  });
  afterEach(() => stack.close());

  it("retries GetClient on unavailable and succeeds when the upstream recovers", async () => {
    await stack.failUpstream("unavailable", 2);
    const { body } = await stack.graphql(ExampleClientDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.oauthClient!.name).toBe("My OAuth App");
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 3 });
  });

  it("retries a connection reset, which the transport reports as unavailable", async () => {
    await stack.faultUpstream("reset", 1);
    const { body } = await stack.graphql(READ_CLIENT);
    expect(body).toEqual({ data: { oauthClient: HEALTHY } });
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 2 });
  });

  it("gives up after UPSTREAM_RETRIES retries with UPSTREAM_UNAVAILABLE", async () => {
    await stack.failUpstream("unavailable", 5, { retryAfterMs: 1500 });
    const { body } = await stack.graphql(READ_CLIENT);
    expect(body.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryAfterMs: 1500 });
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 3 });
  });

  it("does not retry what retrying cannot fix", async () => {
    await stack.failUpstream("internal", 1);
    await stack.graphql(READ_CLIENT);
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 1 });
  });

  it.each([
    ["unavailable", () => stack.failUpstream("unavailable", 5), "UPSTREAM_UNAVAILABLE"],
    // Cut after the call was sent: the secret may have been replaced.
    ["a connection reset", () => stack.faultUpstream("reset", 5), "UPSTREAM_OUTCOME_UNKNOWN"],
  ])("never retries RegenerateSecret, even on %s: exactly one upstream call", async (_name, inject, code) => {
    await inject();
    const { body } = await stack.graphql(RegenerateSecretDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    expect(body.data).toEqual({ regenerateClientSecret: null });
    expect(body.errors![0]!.extensions!.code).toBe(code);
    expect((await stack.upstreamStats()).calls).toEqual({ RegenerateSecret: 1 });
  });
});

describe("upstream error details", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ UPSTREAM_RETRIES: "0" });
  });
  afterAll(() => stack.close());

  it("passes on field violations and retry hints, and drops everything else", async () => {
    await stack.failUpstream("invalid_argument", 1);
    const invalid = await stack.graphql(READ_CLIENT);
    expect(invalid.body.errors![0]!.extensions).toEqual({
      code: "BAD_USER_INPUT",
      upstreamCode: "invalid_argument",
      fieldViolations: [{ field: "client_id", description: "must be a UUID" }],
      reason: "INVALID_CLIENT_ID",
    });
    expect(JSON.stringify(invalid.body)).not.toContain("auth-7f9c");

    await stack.failUpstream("resource_exhausted", 1, { retryAfterMs: 2500 });
    const limited = await stack.graphql(READ_CLIENT);
    expect(limited.body.errors![0]!.extensions).toEqual({
      code: "RATE_LIMITED",
      upstreamCode: "resource_exhausted",
      retryAfterMs: 2500,
    });
  });
});
