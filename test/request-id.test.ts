import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { type Stack, startStack } from "./support/stack.js";

/**
 * Each HTTP request has an id, the caller's `x-request-id` or a new one: echoed on the answer,
 * on the access log line and every other line of that request, and sent upstream with each call.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("request ids", () => {
  let stack: Stack;
  const logLines: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ LOG_LEVEL: "info" }, { logLines });
  });
  afterAll(() => stack.close());

  async function read(requestId?: string, id = EXAMPLE_CLIENT_ID) {
    await stack.resetUpstreamStats();
    const from = logLines.length;
    const response = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${stack.token}`,
        ...(requestId === undefined ? {} : { "x-request-id": requestId }),
      },
      body: JSON.stringify({ query: `{ oauthClient(id: "${id}") { id } }` }),
    });
    await response.json();
    // The access line is written once the answer is sent: wait for it, not for time.
    await expect.poll(() => logLines.slice(from).some((line) => line.includes('"statusCode"'))).toBe(true);
    const lines = logLines.slice(from).map((line) => JSON.parse(line));
    const calls = (await stack.upstreamStats()).recent;
    return { echoed: response.headers.get("x-request-id"), lines, calls };
  }

  it("takes the caller's id: echoed, on the access log line, sent upstream", async () => {
    const { echoed, lines, calls } = await read("gateway-7f3a.19");
    expect(echoed).toBe("gateway-7f3a.19");
    const access = lines.find((line) => line.res?.statusCode === 200)!;
    expect(access.requestId).toBe("gateway-7f3a.19");
    expect(calls.map((call) => call.requestId)).toEqual(["gateway-7f3a.19"]);
  });

  it("makes one when the caller sends none, or one that is not a plain token", async () => {
    for (const sent of [undefined, "has spaces in it", "x".repeat(200)]) {
      const { echoed, lines, calls } = await read(sent);
      expect(echoed).toMatch(UUID);
      expect(lines.find((line) => line.res)!.requestId).toBe(echoed);
      expect(calls.map((call) => call.requestId)).toEqual([echoed]);
    }
  });

  it("is on every log line of the request, an upstream failure's included, written once", async () => {
    await stack.faultUpstream("malformed", 1);
    const from = logLines.length;
    const { echoed, lines } = await read("fault-1");
    expect(echoed).toBe("fault-1");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.requestId).toBe("fault-1");
    for (const line of logLines.slice(from)) expect(line.match(/"requestId"/g)).toHaveLength(1);
  });
});
