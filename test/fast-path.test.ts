import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningFacade } from "../src/facade.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";

/**
 * The fast path answers a JSON POST to /graphql on Yoga's engine without Yoga's Fetch-API
 * adapter. These tests send one corpus — valid, invalid, refused, batched, every error class,
 * every bound, secrets selected or not, every media type asked for — to a facade with the node
 * path and to one without it (every request through the adapter), on one upstream, as raw HTTP,
 * and compare status, every header but Date, and the body byte for byte.
 */

const CLIENT = "550e8400-e29b-41d4-a716-446655440000";
const MISSING = "00000000-0000-4000-8000-00000000ffff";

interface Case {
  name: string;
  body: string | Buffer;
  /** A token with these scopes (none: no Authorization header; "garbage": a token that is not a JWT). */
  scopes?: string[] | "garbage";
  headers?: Record<string, string>;
  path?: string;
  /** Arms an upstream fault for the next `times` calls (0 disarms it). */
  fault?: (stack: Stack, times: number) => Promise<void>;
}

const json = (value: unknown) => JSON.stringify(value);
const query = (text: string, extra: Record<string, unknown> = {}) => json({ query: text, ...extra });
const BOTH = [READ, MANAGE];
const readClient = query(`query One($id: ID!) { oauthClient(id: $id) { id name redirectUris } }`, {
  variables: { id: CLIENT },
  operationName: "One",
});
const rotation = query(
  `mutation Rotate($input: RegenerateClientSecretInput!) { regenerateClientSecret(input: $input) { client { id clientSecret } } }`,
  { variables: { input: { clientId: CLIENT } } },
);

const CASES: Case[] = [
  // Answers.
  { name: "a read", body: readClient, scopes: BOTH },
  {
    name: "the secret, through a fragment",
    body: query(`{ oauthClient(id: "${CLIENT}") { ...F } } fragment F on OAuthClient { id clientSecret }`),
    scopes: BOTH,
  },
  { name: "a rotation", body: rotation, scopes: BOTH },
  {
    name: "one operation of several, by name",
    body: query("query A { __typename } query B { _service { sdl } }", { operationName: "B" }),
    scopes: BOTH,
  },
  { name: "a small introspection", body: query("{ __schema { queryType { name } } }"), scopes: BOTH },
  { name: "multi-byte text", body: query("{ __typename } # é 漢字 🙂"), scopes: BOTH },
  {
    name: "extensions and null parameters",
    body: json({ query: "{ __typename }", variables: null, operationName: null, extensions: {}, other: null }),
  },
  // Refusals.
  { name: "no token", body: readClient },
  { name: "a token that is not a JWT", body: readClient, scopes: "garbage" },
  { name: "a token without the scope", body: readClient, scopes: [MANAGE] },
  { name: "a rotation without the scope", body: rotation, scopes: [READ] },
  { name: "the SDL without a token", body: query("{ _service { sdl } }") },
  // Bad requests.
  { name: "a body that is not JSON", body: "{", scopes: BOTH },
  { name: "a body with a byte-order mark", body: `\ufeff${query("{ __typename }")}`, scopes: BOTH },
  {
    name: "invalid UTF-8",
    body: Buffer.concat([Buffer.from('{"query":"{ __typename } #'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
  },
  { name: "JSON null", body: "null" },
  { name: "a JSON number", body: "42" },
  { name: "a JSON string", body: '"{ __typename }"' },
  { name: "no query", body: "{}" },
  { name: "a query that is a number", body: json({ query: 1 }) },
  { name: "variables that are a list", body: json({ query: "{ __typename }", variables: [] }) },
  { name: "extensions that are a string", body: json({ query: "{ __typename }", extensions: "x" }) },
  { name: "an operation name that is a number", body: json({ query: "{ __typename }", operationName: 5 }) },
  { name: "an unknown parameter", body: json({ query: "{ __typename }", documentId: "abc" }) },
  { name: "a syntax error", body: query("{ oauthClient(") },
  { name: "an unknown field", body: query("{ nope }"), scopes: BOTH },
  { name: "an unknown operation name", body: query("query A { __typename }", { operationName: "B" }) },
  { name: "no operation name among several", body: query("query A { __typename } query B { __typename }") },
  {
    name: "variables that do not coerce",
    body: query("query One($id: ID!) { oauthClient(id: $id) { id } }", { variables: { id: { no: 1 } } }),
    scopes: BOTH,
  },
  { name: "a missing variable", body: query("query One($id: ID!) { oauthClient(id: $id) { id } }"), scopes: BOTH },
  { name: "a malformed id", body: query('{ oauthClient(id: "nope") { id } }'), scopes: BOTH },
  { name: "no such client", body: query(`{ oauthClient(id: "${MISSING}") { id } }`), scopes: BOTH },
  { name: "a subscription", body: query("subscription { __typename }"), scopes: BOTH },
  // Bounds.
  { name: "a document over its byte bound", body: query(`{ __typename ${" ".repeat(20_000)}}`) },
  {
    name: "a fragment chain over the expansion bound",
    body: query(
      `{ ...F0 } ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} a${i}: __typename ...F${i + 1} }`).join(" ")} fragment F30 on Query { __typename }`,
    ),
  },
  {
    name: "too many aliases",
    body: query(`{ ${Array.from({ length: 300 }, (_, i) => `a${i}: __typename`).join(" ")} }`),
  },
  {
    name: "too deep",
    body: query(`{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }`),
  },
  {
    name: "a fan-out over the cost bound",
    body: query(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: oauthClient(id: "${CLIENT}") { id }`).join(" ")} }`),
    scopes: BOTH,
  },
  // Batches.
  { name: "a batch", body: json([{ query: "{ __typename }" }, JSON.parse(readClient)]), scopes: BOTH },
  { name: "a batch with a bad operation", body: json([{ query: "{ __typename }" }, { query: 1 }, "x"]), scopes: BOTH },
  { name: "an empty batch", body: "[]" },
  { name: "a batch over the bound", body: json(Array.from({ length: 11 }, () => ({ query: "{ __typename }" }))) },
  // Upstream faults.
  {
    name: "the upstream unavailable",
    body: readClient,
    scopes: BOTH,
    fault: (stack, n) => stack.failUpstream("unavailable", n),
  },
  {
    name: "the upstream's values refused",
    body: readClient,
    scopes: BOTH,
    fault: (stack, n) => stack.faultUpstream("bad-values", n),
  },
  { name: "the upstream cut off", body: rotation, scopes: BOTH, fault: (stack, n) => stack.faultUpstream("reset", n) },
  // Media types asked for and sent.
  ...[
    "application/graphql-response+json",
    "application/json",
    "*/*",
    "text/event-stream",
    "multipart/mixed",
    "text/html",
    "application/json; charset=iso-8859-1",
    "application/graphql-response+json, application/json;q=0.9",
  ].flatMap((accept) => [
    { name: `accept ${accept}, an answer`, body: readClient, scopes: BOTH, headers: { accept } },
    { name: `accept ${accept}, a validation error`, body: query("{ nope }"), headers: { accept } },
  ]),
  ...[
    "application/json; charset=utf-8",
    "application/graphql+json",
    "application/json, text/plain",
    "APPLICATION/JSON",
    "text/plain",
    "application/x-www-form-urlencoded",
  ].map((type) => ({ name: `content type ${type}`, body: query("{ __typename }"), headers: { "content-type": type } })),
  { name: "a query string on the path", body: query("{ __typename }"), path: "/graphql?operationName=x" },
  { name: "another path", body: query("{ __typename }"), path: "/other" },
  { name: "an allowed origin", body: query("{ __typename }"), headers: { origin: "http://localhost:3000" } },
  { name: "an origin not listed", body: query("{ __typename }"), headers: { origin: "https://evil.example" } },
];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A rotation answers a new secret each time: equal answers have a secret in the same places. */
const withoutSecrets = (body: string) => body.replace(/"clientSecret":"[^"]+"/g, '"clientSecret":"<secret>"');

function send(baseUrl: string, testCase: Case, token: string | undefined): Promise<Answer> {
  const body = typeof testCase.body === "string" ? Buffer.from(testCase.body) : testCase.body;
  const url = new URL(testCase.path ?? "/graphql", baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(body.length),
          // Both paths echo it: a request id of their own would differ by chance.
          "x-request-id": "fast-path-case",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...testCase.headers,
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const { date: _date, ...headers } = incoming.headers;
          resolve({ status: incoming.statusCode!, headers, body: withoutSecrets(Buffer.concat(chunks).toString()) });
        });
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

describe.each(["development", "production"] as const)("the fast path, in %s", (mode) => {
  let stack: Stack;
  let adapterOnly: RunningFacade;
  const tokens = new Map<Case["scopes"], string>();

  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: "http://localhost:3000" }, { mode });
    adapterOnly = await stack.startAnotherFacade({ fastPath: false });
    for (const { scopes } of CASES) {
      if (scopes && !tokens.has(scopes))
        tokens.set(scopes, scopes === "garbage" ? "not.a.jwt" : await stack.mint(scopes));
    }
  });
  afterAll(() => stack?.close());

  const answerOf = async (url: string, testCase: Case) => {
    await testCase.fault?.(stack, 1);
    const answer = await send(url, testCase, testCase.scopes && tokens.get(testCase.scopes));
    await testCase.fault?.(stack, 0);
    return answer;
  };

  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))(
    "answers %s as Yoga's adapter does",
    async (_name, testCase) => {
      // Twice: graphql-js runs an operation first, graphql-jit from its second use.
      for (let use = 1; use <= 2; use += 1) {
        const reference = await answerOf(adapterOnly.url, testCase);
        const fastPath = await answerOf(stack.facade.url, testCase);
        expect(fastPath, `use ${use}`).toEqual(reference);
      }
    },
  );
});
