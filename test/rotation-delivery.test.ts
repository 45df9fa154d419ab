import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { type GraphQLBody, MANAGE, READ, type Stack, startStack } from "./support/stack.js";

/**
 * A rotated secret always reaches its caller: whatever else fails in the same operation or
 * HTTP batch, every rotation the upstream committed is in the answer with the secret the
 * upstream now holds, every failure is at its own alias with its code, and whatever is
 * refused is refused before any secret is replaced.
 */

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const OTHER_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

type Result = GraphQLBody;

const rotation = (alias: string, clientId: string, selection = "client { id clientSecret }") =>
  `${alias}: regenerateClientSecret(input: { clientId: "${clientId}" }) { ${selection} }`;

async function batch(stack: Stack, operations: string[], token = stack.token): Promise<Result[]> {
  const { status, body } = await stack.batch(
    operations.map((query) => ({ query })),
    { token },
  );
  expect(status).toBe(200);
  return body;
}

/** The secrets the upstream holds now, read through the facade's own query. */
async function secretsHeld(stack: Stack, clientIds: readonly string[]): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  for (const id of clientIds) held.set(id, await stack.secretOf(id));
  return held;
}

/** Every secret the answers deliver, by client id. */
function delivered(results: Result[]): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const result of results) {
    for (const value of Object.values(result.data ?? {})) {
      const client = (value as { client?: { id?: string; clientSecret?: string } } | null)?.client;
      if (client?.id && client.clientSecret) secrets.set(client.id, client.clientSecret);
    }
  }
  return secrets;
}

/**
 * The invariant: a client whose secret changed has that secret in the answer; a secret in the
 * answer is the one the upstream holds; every error carries a code. Returns the rotated ids.
 */
async function expectNoSecretLost(stack: Stack, before: Map<string, string>, results: Result[]) {
  const after = await secretsHeld(stack, [...before.keys()]);
  const answered = delivered(results);
  const rotated: string[] = [];
  for (const [id, secret] of after) {
    if (secret !== before.get(id)) {
      rotated.push(id);
      expect(answered.get(id), `the new secret of ${id} is in the answer`).toBe(secret);
    }
  }
  for (const [id, secret] of answered) expect(after.get(id), `the secret answered for ${id} is held`).toBe(secret);
  for (const error of results.flatMap((result) => result.errors ?? []))
    expect(error.extensions?.code).toBeTypeOf("string");
  return rotated;
}

describe("a committed rotation is answered whatever else fails", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it("answers a's new secret and b's NOT_FOUND when b's client does not exist", async () => {
    const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID]);
    const { body } = await stack.graphql(
      `mutation { ${rotation("a", EXAMPLE_CLIENT_ID)} ${rotation("b", UNKNOWN_ID)} }`,
    );
    expect(body.data!.b).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ["b"], extensions: { code: "NOT_FOUND" } });
    expect(await expectNoSecretLost(stack, before, [body])).toEqual([EXAMPLE_CLIENT_ID]);
    expect(body.data!.a.client.clientSecret).toMatch(/^sk_live_/);
  });

  it.each([
    ["a definite upstream failure", () => stack.failUpstream("unavailable", 1, { after: 1 }), "UPSTREAM_UNAVAILABLE"],
    ["a connection cut mid-answer", () => stack.faultUpstream("reset", 1, { after: 1 }), "UPSTREAM_OUTCOME_UNKNOWN"],
  ])("answers a's new secret when %s hits b after a committed", async (_fault, inject, code) => {
    const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID, OTHER_ID]);
    await inject();
    const { body } = await stack.graphql(`mutation { ${rotation("a", EXAMPLE_CLIENT_ID)} ${rotation("b", OTHER_ID)} }`);
    expect(body.data!.b).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ["b"], extensions: expect.objectContaining({ code }) }),
    ]);
    expect(await expectNoSecretLost(stack, before, [body])).toContain(EXAMPLE_CLIENT_ID);
  });

  // A document runs on graphql-js first and compiled by graphql-jit from its second use: both must keep the secret.
  it.each([
    ["its first use", 1],
    ["its third use (compiled)", 3],
  ])(
    "answers the new secret when the upstream's answer carries values the schema's scalars refuse, on %s",
    async (_use, uses) => {
      const document = `mutation { ${rotation("a", EXAMPLE_CLIENT_ID, "client { id clientSecret allowedDelegators postLogoutRedirectUris }")} }`;
      for (let use = 1; use <= uses; use++) {
        const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID]);
        await stack.faultUpstream("bad-values", 1);
        const { body } = await stack.graphql(document);
        await stack.faultUpstream("bad-values", 0);
        expect(body.data!.a.client).toMatchObject({ allowedDelegators: null, postLogoutRedirectUris: null });
        expect(body.errors!.map((error) => error.path)).toEqual([
          ["a", "client", "allowedDelegators", 1],
          ["a", "client", "postLogoutRedirectUris", 1],
        ]);
        expect(await expectNoSecretLost(stack, before, [body])).toEqual([EXAMPLE_CLIENT_ID]);
      }
    },
  );

  it("answers each operation of a batch on its own: a rotation beside an unknown id and a denied read", async () => {
    const managerOnly = await stack.mint([MANAGE]);
    const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID]);
    const results = await batch(
      stack,
      [
        `mutation { ${rotation("a", EXAMPLE_CLIENT_ID)} }`,
        `mutation { ${rotation("b", UNKNOWN_ID)} }`,
        `{ oauthClient(id: "${OTHER_ID}") { id } }`,
      ],
      managerOnly,
    );
    expect(results[1]!.errors![0]!.extensions!.code).toBe("NOT_FOUND");
    expect(results[2]!.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", requiredScope: READ });
    expect(await expectNoSecretLost(stack, before, results)).toEqual([EXAMPLE_CLIENT_ID]);
  });

  it("refuses a mutation to a token that may not rotate before either alias runs", async () => {
    const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID, OTHER_ID]);
    const { body } = await stack.graphql(
      `mutation { ${rotation("a", EXAMPLE_CLIENT_ID)} ${rotation("b", OTHER_ID)} }`,
      {
        token: await stack.mint([READ]),
      },
    );
    expect(body.data).toBeUndefined();
    expect(body.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", requiredScope: MANAGE });
    expect(await expectNoSecretLost(stack, before, [body])).toEqual([]);
    expect((await stack.upstreamStats()).calls.RegenerateSecret).toBeUndefined();
  });

  it.each([
    ["selects no client", rotation("b", OTHER_ID, "__typename")],
    ["selects the client without its secret", rotation("b", OTHER_ID, "client { id }")],
    [
      "includes the secret only if a false condition",
      rotation("b", OTHER_ID, "client { clientSecret @include(if: false) }"),
    ],
    ["skips the client", rotation("b", OTHER_ID, "client @skip(if: true) { clientSecret }")],
    [
      "spreads a fragment without the secret",
      `${rotation("b", OTHER_ID, "client { ...Named }")} } fragment Named on OAuthClient { name`,
    ],
  ])("refuses, before either rotation, a mutation where one alias %s", async (_case, second) => {
    const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID, OTHER_ID]);
    const { body } = await stack.graphql(`mutation { ${rotation("a", EXAMPLE_CLIENT_ID)} ${second} }`);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: "SECRET_NOT_SELECTED" } })]);
    expect(body.errors![0]!.message).toMatch(/^b replaces a secret/);
    expect(await expectNoSecretLost(stack, before, [body])).toEqual([]);
  });

  it("accepts the secret selected through fragments, inline and named", async () => {
    const before = await secretsHeld(stack, [OTHER_ID]);
    const { body } = await stack.graphql(
      `mutation { b: regenerateClientSecret(input: { clientId: "${OTHER_ID}" }) { ...Payload } }
       fragment Payload on RegenerateClientSecretPayload { client { id ... on OAuthClient { clientSecret } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(await expectNoSecretLost(stack, before, [body])).toEqual([OTHER_ID]);
  });

  it("reads a client once for a whole batch: one DataLoader per HTTP request", async () => {
    const read = `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name } }`;
    const results = await batch(stack, [read, read, read, read, read]);
    expect(results.every((result) => result.data?.oauthClient?.id === EXAMPLE_CLIENT_ID)).toBe(true);
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 1 });
  });
});

describe("a refusal decides before the first rotation and charges nothing", () => {
  let stack: Stack;
  beforeAll(async () => {
    // A rotation selecting { id clientSecret } is estimated at 31: two fit in 90, three do not.
    stack = await startStack({ LIMIT_MAX_COST: "90", UPSTREAM_MAX_CALLS_PER_REQUEST: "3" });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it("refuses a mutation whose rotations need more upstream calls than the request has, before any", async () => {
    const ids = [fixtureClientId(1), fixtureClientId(2)];
    const before = await secretsHeld(stack, ids);
    await stack.resetUpstreamStats();
    // Two rotations (62) fit the cost; the batch's first operation already spent two of three calls.
    const results = await batch(stack, [
      `{ a: oauthClient(id: "${fixtureClientId(5)}") { id } b: oauthClient(id: "${fixtureClientId(6)}") { id } }`,
      `mutation { ${rotation("a", ids[0]!)} ${rotation("b", ids[1]!)} }`,
    ]);
    const rotated = await expectNoSecretLost(stack, before, results);
    const refusal = results[1]!.errors?.[0];
    if (refusal) {
      // Refused whole, before either rotation; never one rotated and the other stopped.
      expect(refusal.extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "upstream_calls" });
      expect(rotated).toEqual([]);
    } else {
      expect(rotated.sort()).toEqual([...ids].sort());
    }
  });

  it("a duplicate rotation refused in a batch spends neither cost nor upstream calls", async () => {
    const ids = [fixtureClientId(3), fixtureClientId(4)];
    const before = await secretsHeld(stack, ids);
    await stack.resetUpstreamStats();
    // Had the refused duplicate been charged, the third operation would exceed the cost (93 > 90).
    const results = await batch(stack, [
      `mutation { ${rotation("a", ids[0]!)} }`,
      `mutation { ${rotation("a", ids[0]!)} }`,
      `mutation { ${rotation("b", ids[1]!)} }`,
    ]);
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? "rotated");
    expect(codes.sort()).toEqual(["DUPLICATE_ROTATION", "rotated", "rotated"]);
    expect((await stack.upstreamStats()).calls).toEqual({ RegenerateSecret: 2 });
    expect((await expectNoSecretLost(stack, before, results)).sort()).toEqual([...ids].sort());
  });

  it("refuses an operation over the cost before it runs, and the batch's rotations still fit", async () => {
    const before = await secretsHeld(stack, [fixtureClientId(7)]);
    const expensive = `{ ${Array.from({ length: 10 }, (_, i) => `c${i}: oauthClient(id: "${fixtureClientId(8)}") { id }`).join(" ")} }`;
    const results = await batch(stack, [expensive, `mutation { ${rotation("a", fixtureClientId(7))} }`]);
    expect(results[0]!.errors![0]!.extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "cost" });
    expect(await expectNoSecretLost(stack, before, results)).toEqual([fixtureClientId(7)]);
  });
});

describe("the answer-size bound never withholds a new secret", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LIMIT_MAX_RESPONSE_BYTES: "400" });
  });
  afterAll(() => stack.close());

  it("sends a rotation's answer larger than the bound, and still bounds the batch's reads", async () => {
    const before = await secretsHeld(stack, [EXAMPLE_CLIENT_ID]);
    const everything =
      "client { id clientSecret name description redirectUri websiteUrl logoUrl applicationId allowedDelegators postLogoutRedirectUris createdAt updatedAt }";
    const read = `{ oauthClient(id: "${OTHER_ID}") { name description redirectUri websiteUrl logoUrl postLogoutRedirectUris } }`;
    const results = await batch(stack, [`mutation { ${rotation("a", EXAMPLE_CLIENT_ID, everything)} }`, read, read]);
    expect(JSON.stringify(results[0]).length).toBeGreaterThan(400);
    expect(await expectNoSecretLost(stack, before, results)).toEqual([EXAMPLE_CLIENT_ID]);
    const refused = results.slice(1).filter((result) => result.errors?.[0]?.extensions?.limit === "response_size");
    expect(refused.length).toBeGreaterThan(0);
  });
});
