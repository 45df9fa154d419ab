import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./support/stack.js";

const CLIENT_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const ROTATE = `mutation { regenerateClientSecret(input: { clientId: "${CLIENT_ID}" }) { client { clientSecret } } }`;

describe("a rotation is never misreported", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ UPSTREAM_CALL_TIMEOUT_MS: "500" });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await stack.setUpstreamLatency(0);
    await stack.resetUpstreamStats();
  });

  const secretUpstream = async () =>
    (await stack.connectCall("GetClient", { clientId: CLIENT_ID, includeSecret: true })).body.Client
      .clientSecret as string;

  it("tells the upstream a deadline shorter than the facade's own wait for RegenerateSecret", async () => {
    await stack.graphql(ROTATE);
    await stack.graphql(`{ oauthClient(id: "${CLIENT_ID}") { id } }`);
    const told = Object.fromEntries(
      (await stack.upstreamStats()).recent.map((call) => [call.procedure, call.timeoutMs]),
    );
    expect(told.GetClient).toBeLessThanOrEqual(500);
    expect(told.RegenerateSecret).toBeLessThanOrEqual(400);
  });

  it.each([100, 380, 399, 401, 420, 480, 496, 499, 510, 700])(
    "with the upstream taking %i ms against a 500 ms timeout: a replaced secret is delivered, or the outcome is said to be unknown",
    async (latencyMs) => {
      const before = await secretUpstream();
      await stack.setUpstreamLatency(latencyMs);
      const { body } = await stack.graphql(ROTATE);
      await stack.setUpstreamLatency(0);
      const after = await secretUpstream();
      const delivered = body.data?.regenerateClientSecret?.client.clientSecret;
      const code = body.errors?.[0]?.extensions?.code;
      if (after !== before) {
        // Replaced: the caller has the new secret, or is told it may have been replaced.
        expect(delivered === after || code === "UPSTREAM_OUTCOME_UNKNOWN").toBe(true);
      }
      // Never a definite failure that is not one.
      expect(code).not.toBe("UPSTREAM_TIMEOUT");
      if (latencyMs === 100) expect(delivered).toBe(after);
    },
  );

  it("says the outcome is unknown, and to read the secret back, when the connection is cut after the call was sent", async () => {
    await stack.faultUpstream("reset", 1);
    const { body } = await stack.graphql(ROTATE);
    expect(body.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_OUTCOME_UNKNOWN" });
    expect(body.errors![0]!.message).toMatch(/may have been/);
    expect(body.errors![0]!.message).toMatch(/clientSecret back/);
  });

  it("says the upstream is unavailable, a definite failure, when nothing could be sent", async () => {
    await stack.stopUpstream();
    try {
      const { body } = await stack.graphql(ROTATE);
      expect(body.errors![0]!.extensions!.code).toBe("UPSTREAM_UNAVAILABLE");
    } finally {
      await stack.startUpstreamAgain();
    }
  });
});
