import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cyclingFixtureClientId, fixtureClientId } from "../src/dev-upstream/seed.js";
import { type GraphQLBody, READ, type Stack, startStack } from "./support/stack.js";

type Result = GraphQLBody;

type Operation = { query: string; variables?: Record<string, unknown> };

/** Posts one operation, or a batch, through the stack's client with a token; the parsed answer. */
async function post(stack: Stack, body: Operation | Operation[], token = stack.token): Promise<Result & Result[]> {
  const answer = Array.isArray(body)
    ? (await stack.batch(body, { token })).body
    : (await stack.graphql(body.query, { variables: body.variables, token })).body;
  return answer as Result & Result[];
}

/** `count` aliased reads of distinct fixture clients, starting at `from`. */
const reads = (count: number, from = 1, fields = "id") =>
  `{ ${Array.from({ length: count }, (_, i) => `c${i}: oauthClient(id: "${fixtureClientId(((from + i - 1) % 12) + 1)}") { ${fields} }`).join(" ")} }`;

const entities = (count: number, selection = "id") => ({
  query: `query E($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { ${selection} } } }`,
  variables: {
    r: Array.from({ length: count }, (_, i) => ({ __typename: "OAuthClient", id: cyclingFixtureClientId(i) })),
  },
});

const limitsOf = (results: Result[]) => results.map((result) => result.errors?.[0]?.extensions?.limit ?? "answered");

describe("one budget per HTTP request, shared by a batch", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it("adds up the estimated cost of a batch's operations: ten reads of 59 clients are not ten times the limit", async () => {
    const batch = Array.from({ length: 10 }, () => ({ query: reads(59) }));
    const results = await post(stack, batch);
    // Each costs 590 (59 upstream calls at 10): the first charged (any of them: a batch's
    // operations run at once) fits the 1,000 of the request, the rest do not.
    const limits = limitsOf(results);
    expect(limits.filter((limit) => limit === "answered")).toHaveLength(1);
    expect(limits.filter((limit) => limit === "cost")).toHaveLength(9);
    const refused = results.find((result) => result.errors?.[0]?.extensions?.limit === "cost")!;
    expect(refused.errors![0]!.message).toMatch(/already spent by this request's other operations/);
    expect((await stack.upstreamStats()).calls.GetClient).toBeLessThanOrEqual(12);
  });

  it("prices _entities per representation: 100 ids with a list selected cost 2,000, refused before any call", async () => {
    const token = await stack.mint([READ]);
    const refused = await post(stack, entities(100, "id applicationBindings { applicationId }"), token);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "cost" });
    expect(refused.errors![0]!.message).toMatch(/estimated 2000/);
    expect((await stack.upstreamStats()).calls).toEqual({});
    // A gateway's fetch of the default size fits: 100 representations, each an upstream call.
    const fits = await post(stack, entities(100), token);
    expect(fits.errors).toBeUndefined();
    expect(fits.data!._entities).toHaveLength(100);
  });

  it("counts _entities representations across a batch", async () => {
    const results = await post(stack, [entities(60), entities(60)]);
    expect(limitsOf(results).sort()).toEqual(["answered", "representations"]);
  });

  it("refuses a representation whose __typename is no entity of this subgraph with BAD_USER_INPUT, before any call", async () => {
    for (const typename of ["constructor", "__proto__", "Query", "Nope", 42]) {
      const body = {
        query: "query E($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
        variables: {
          r: [
            { __typename: "OAuthClient", id: fixtureClientId(1) },
            { __typename: typename, id: fixtureClientId(2) },
          ],
        },
      };
      const result = await post(stack, body);
      expect(result.data).toBeUndefined();
      expect(result.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "representations" });
      expect(result.errors![0]!.message).toMatch(/^representations\[1\]/);
    }
    expect((await stack.upstreamStats()).calls).toEqual({});
  });
});

describe("upstream calls: a budget per request, retries included", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ UPSTREAM_MAX_CALLS_PER_REQUEST: "5", LIMIT_MAX_COST: "100000", UPSTREAM_RETRIES: "2" });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it("makes at most UPSTREAM_MAX_CALLS_PER_REQUEST calls for a batch; the reads past it get a typed error", async () => {
    const results = await post(stack, [{ query: reads(4, 1) }, { query: reads(4, 5) }]);
    expect((await stack.upstreamStats()).calls.GetClient).toBe(5);
    const errors = results.flatMap((result) => result.errors ?? []);
    expect(errors).toHaveLength(3);
    for (const error of errors)
      expect(error.extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "upstream_calls" });
  });

  it("spends the budget on retries too: a failing upstream sees at most the budget", async () => {
    await stack.failUpstream("unavailable", 1_000);
    await post(stack, { query: reads(4, 1) });
    expect((await stack.upstreamStats()).calls.GetClient).toBeLessThanOrEqual(5);
    await stack.failUpstream("unavailable", 0);
  });
});

describe("retries stop while most upstream calls fail", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LIMIT_MAX_COST: "100000", UPSTREAM_RETRIES: "2" });
  });
  afterAll(() => stack.close());

  it("a 60-read request against an upstream answering unavailable makes about 60 calls, not 180", async () => {
    await stack.resetUpstreamStats();
    await stack.failUpstream("unavailable", 10_000);
    const query = `{ ${Array.from({ length: 60 }, (_, i) => `c${i}: oauthClient(id: "00000000-0000-4000-8000-${String(i).padStart(12, "0")}") { id }`).join(" ")} }`;
    const result = await post(stack, { query });
    expect(result.errors!.every((error) => error.extensions?.code === "UPSTREAM_UNAVAILABLE")).toBe(true);
    // gRPC's retry throttling: retries stop once half the tokens (10) are spent on failures.
    expect((await stack.upstreamStats()).calls.GetClient).toBeLessThanOrEqual(60 + 10);
    await stack.failUpstream("unavailable", 0);
  });
});

describe("calls in flight and time: per request, and fair between requests", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "4",
      UPSTREAM_MAX_IN_FLIGHT: "4",
      LIMIT_MAX_COST: "100000",
      UPSTREAM_MAX_CALLS_PER_REQUEST: "1000",
      LIMIT_MAX_REPRESENTATIONS: "1000",
    });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await stack.setUpstreamLatency(0);
    await stack.resetUpstreamStats();
  });

  it("holds UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST for a whole batch, not per operation", async () => {
    await stack.setUpstreamLatency(20);
    const results = await post(
      stack,
      [0, 1, 2, 3].map((k) => ({ query: reads(3, 1 + 3 * k) })),
    );
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    const stats = await stack.upstreamStats();
    expect(stats.calls.GetClient).toBe(12);
    // Per operation, the four operations' three calls each would all be in flight at once.
    expect(stats.maxInFlight).toBeLessThanOrEqual(4);
  });

  it("bounds calls in flight for the process, and gives a single read the next free slot while two requests fan out", async () => {
    await stack.setUpstreamLatency(100);
    const fanOut = (offset: number) => ({
      query: "query E($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { id } } }",
      variables: {
        r: Array.from({ length: 120 }, (_, i) => ({
          __typename: "OAuthClient",
          id: `00000000-0000-4000-8000-${String(offset + i).padStart(12, "0")}`,
        })),
      },
    });
    const fanning = [post(stack, fanOut(0)), post(stack, fanOut(1_000))];
    // Once the fan-outs hold every slot, a single read arrives.
    while (((await stack.upstreamStats()).calls.GetClient ?? 0) < 8)
      await new Promise((resolve) => setImmediate(resolve));
    const before = (await stack.upstreamStats()).recent.length;
    const single = await post(stack, { query: `{ oauthClient(id: "${fixtureClientId(7)}") { id } }` });
    expect(single.data).toEqual({ oauthClient: { id: fixtureClientId(7) } });
    for (const answer of await Promise.all(fanning)) expect((answer.data!._entities as unknown[]).length).toBe(120);
    const stats = await stack.upstreamStats();
    expect(stats.maxInFlight).toBeLessThanOrEqual(4);
    const order = stats.recent.map((call) => call.clientId);
    expect(order).toHaveLength(241);
    // In turn, not behind the fan-outs' queues (about 230 calls): within a round of the slots.
    const position = order.indexOf(fixtureClientId(7));
    expect(position).toBeGreaterThanOrEqual(before);
    expect(position - before).toBeLessThan(12);
  });

  it("shares the time budget between a batch's operations", async () => {
    const slow = await startStack({ LIMIT_REQUEST_TIMEOUT_MS: "1000", UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "1" });
    try {
      await slow.setUpstreamLatency(600);
      const results = await post(slow, [{ query: reads(1, 1) }, { query: reads(1, 2) }]);
      const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? "answered");
      // One read waits for the other (one call at a time), then has ~400 ms of the 1,000 left (margins wide enough for a loaded machine).
      expect(codes.sort()).toEqual(["UPSTREAM_TIMEOUT", "answered"]);
    } finally {
      await slow.close();
    }
  });

  it("bounds the answers of a batch together by LIMIT_MAX_RESPONSE_BYTES", async () => {
    const small = await startStack({ LIMIT_MAX_RESPONSE_BYTES: "200" });
    try {
      const one = { query: `{ oauthClient(id: "${fixtureClientId(1)}") { id name } }` };
      const alone = await post(small, one);
      expect(alone.errors).toBeUndefined();
      const results = await post(small, [one, one, one]);
      expect(limitsOf(results)).toContain("response_size");
      expect(JSON.stringify(results).length).toBeLessThan(1_000);
    } finally {
      await small.close();
    }
  });
});
