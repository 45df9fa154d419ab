import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { settledHeap } from "./support/heap.js";
import { type Stack, startStack } from "./support/stack.js";

/** Posts a body as is, without a token unless given. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * A fragment DAG: each level spreads the next twice, so a document of n + 1 short fragments
 * expands to 2^n copies of the leaf. `wrap` puts the first spread where the shape needs it.
 */
function fragmentDag(depth: number, on: string, leaf: string, wrap = (spread: string) => `{ ${spread} }`) {
  const levels = Array.from({ length: depth }, (_, i) => `fragment F${i} on ${on} { ...F${i + 1} ...F${i + 1} }`);
  return `query Q ${wrap("...F0")} ${levels.join(" ")} fragment F${depth} on ${on} { ${leaf} }`;
}

const SHAPES: [string, (depth: number) => string][] = [
  [
    "spreads of spreads at the root, ending in __typename (free in the cost model)",
    (n) => fragmentDag(n, "Query", "__typename"),
  ],
  [
    "spreads of spreads inside an OAuthClient",
    (n) =>
      fragmentDag(n, "OAuthClient", "id name", (spread) => `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { ${spread} } }`),
  ],
  [
    "spreads of spreads with inline fragments between them",
    (n) => {
      const levels = Array.from(
        { length: n },
        (_, i) => `fragment F${i} on Query { ... on Query { ...F${i + 1} } ... { ...F${i + 1} } }`,
      );
      return `query Q { ...F0 } ${levels.join(" ")} fragment F${n} on Query { __typename }`;
    },
  ],
  [
    "spreads of spreads inside introspection",
    (n) => fragmentDag(n, "__Schema", "queryType { name }", (spread) => `{ __schema { ${spread} } }`),
  ],
];

describe("every walk over a document is linear in its size", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.resetUpstreamStats());

  it.each(SHAPES)("refuses %s, depths 10 to 60, by its expanded size, before anything runs", async (_name, shape) => {
    // Depth 60 expands to 2^60 selections: a walk that expanded it would never end.
    for (const depth of [10, 20, 30, 60]) {
      const { body } = await post(
        stack.facade.graphqlUrl,
        { query: shape(depth) },
        { authorization: `Bearer ${stack.token}` },
      );
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "expanded_selections" });
    }
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("refuses a batch of ten such documents, each on its own, and stays responsive", async () => {
    const batch = Array.from({ length: 10 }, (_, i) => ({ query: fragmentDag(40 + i, "Query", "__typename") }));
    const [answers, health] = await Promise.all([
      post(stack.facade.graphqlUrl, batch),
      fetch(`${stack.facade.url}/health`),
    ]);
    expect(health.status).toBe(200);
    expect(answers.body).toHaveLength(10);
    for (const answer of answers.body) expect(answer.errors[0].extensions.limit).toBe("expanded_selections");
  });

  it("answers a fragment DAG whose expansion fits: spreads of a shared fragment are fine", async () => {
    const query = fragmentDag(
      5,
      "OAuthClient",
      "id name",
      (spread) => `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { ${spread} } }`,
    );
    const { body } = await post(stack.facade.graphqlUrl, { query }, { authorization: `Bearer ${stack.token}` });
    expect(body.errors).toBeUndefined();
    expect(body.data.oauthClient).toEqual({ id: EXAMPLE_CLIENT_ID, name: "My OAuth App" });
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 1 });
  });

  it("still answers the introspection query GraphiQL and gateways send", async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const { body } = await post(stack.facade.graphqlUrl, { query });
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.types.length).toBeGreaterThan(10);
  });
});

describe("a document has a size in bytes", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it("refuses a document over LIMIT_MAX_DOCUMENT_BYTES (16 KB) before parsing it, whatever fills it", async () => {
    for (const filler of [" ".repeat(16_400), `# ${"c".repeat(16_400)}\n`, `"${"s".repeat(16_400)}"`]) {
      // Broken on purpose: a parser would answer GRAPHQL_PARSE_FAILED.
      const query = `query Q { __typename ${filler} `;
      const { body } = await post(stack.facade.graphqlUrl, { query });
      expect(body.errors[0].extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "document_bytes" });
      expect(body.errors[0].message).toContain("16384");
    }
  });

  it("counts bytes, not characters: 6,000 three-byte characters are 18,000 bytes", async () => {
    const { body } = await post(stack.facade.graphqlUrl, { query: `query Q { __typename } # ${"€".repeat(6_000)}` });
    expect(body.errors[0].extensions.limit).toBe("document_bytes");
    const fits = await post(stack.facade.graphqlUrl, { query: `query Q { __typename } # ${"€".repeat(5_000)}` });
    expect(fits.body.data).toEqual({ __typename: "Query" });
  });

  it("keeps no more memory for distinct padded or broken documents than the parse cache's bound", async () => {
    const send = async (count: number, document: (i: number) => string) => {
      for (let start = 0; start < count; start += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, count - start) }, (_, k) =>
            post(stack.facade.graphqlUrl, { query: document(start + k) }),
          ),
        );
      }
    };
    // Warm every path once, so that the baseline holds what any first request leaves behind.
    await send(50, (i) => `query W${i} { __typename }${" ".repeat(15_000)}`);
    await send(50, (i) => `query W${i} { __typename ${" ".repeat(15_000)}`);
    const baseline = await settledHeap();
    // Distinct documents that fit the byte limit (valid, and broken), and ones far over it.
    await send(1_500, (i) => `query Q${i} { __typename }${" ".repeat(15_000)}`);
    await send(1_500, (i) => `query Q${i} { __typename ${" ".repeat(15_000)}`);
    await send(500, (i) => `query P${i} { __typename }${" ".repeat(200_000)}`);
    const grown = (await settledHeap()) - baseline;
    // Kept as Yoga keeps them by default (1,024 each, by text), these would hold over 130 MB; the
    // parse cache keeps the valid ones up to its 32 MB (padding counted once, as the text it is).
    expect(grown).toBeLessThan(36 * 1024 * 1024);
  }, 120_000);
});
