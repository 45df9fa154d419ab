import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cyclingFixtureClientId, EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { READ, type Stack, startStack } from "./support/stack.js";

/** Posts a body as is, without a token unless given, and reads the answer as text. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

const schemaWalk = "__schema { types { name fields { name type { name } } } }";
const GRAPHIQL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

describe("introspection amplification, without a token", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const shapes: [string, unknown][] = [
    [
      "60 aliases of a schema walk",
      { query: `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: ${schemaWalk}`).join(" ")} }` },
    ],
    [
      "a batch of 10 operations, each with two schema walks",
      Array.from({ length: 10 }, () => ({ query: `{ a: ${schemaWalk} b: ${schemaWalk} }` })),
    ],
    [
      "one fragment of a schema walk spread under 30 aliases",
      {
        query: `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: __schema { ...W }`).join(" ")} } fragment W on __Schema { types { fields { name } } }`,
      },
    ],
    [
      "types → fields → type → fields → type → fields (nested lists)",
      { query: "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }" },
    ],
    [
      "aliases inside one __schema multiplying the walk",
      {
        query: `{ __schema { ${Array.from({ length: 50 }, (_, i) => `t${i}: types { name fields { name args { name } } }`).join(" ")} } }`,
      },
    ],
    [
      "ten __type lookups",
      { query: `{ ${Array.from({ length: 10 }, (_, i) => `t${i}: __type(name: "OAuthClient") { name }`).join(" ")} }` },
    ],
    [
      "a 25-level ofType chain",
      { query: `{ __type(name: "Query") { ${"ofType { ".repeat(25)}name${" }".repeat(25)} } }` },
    ],
  ];

  it.each(shapes)("refuses %s with a typed limit error, a small answer and no execution", async (_name, body) => {
    const { status, text, body: answer } = await post(stack.facade.graphqlUrl, body);
    expect(status).toBe(200);
    expect(text.length).toBeLessThan(4_000);
    const results = Array.isArray(answer) ? answer : [answer];
    for (const result of results) {
      expect(result.data).toBeUndefined();
      expect(result.errors[0].extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED" });
      expect(result.errors[0].message).not.toMatch(/Syntax Error/);
    }
  });

  it("keeps answering /health while amplification attempts arrive in parallel", async () => {
    const attacks = Array.from({ length: 20 }, (_, i) => post(stack.facade.graphqlUrl, shapes[i % shapes.length]![1]));
    const health = await fetch(`${stack.facade.url}/health`);
    expect(health.status).toBe(200);
    for (const attack of await Promise.all(attacks)) expect(attack.text).toContain("QUERY_LIMIT_EXCEEDED");
  });

  it("still answers the full introspection query GraphiQL sends", async () => {
    const { status, body } = await post(stack.facade.graphqlUrl, { query: GRAPHIQL_INTROSPECTION });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.types.map((type: { name: string }) => type.name)).toContain("OAuthClient");
  });
});

describe("introspection in production", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, { mode: "production" });
  });
  afterAll(() => stack.close());

  it("is off by default: __schema is refused with a code", async () => {
    const { body } = await post(stack.facade.graphqlUrl, { query: "{ __schema { types { name } } }" });
    expect(body.errors[0].extensions.code).toBeDefined();
    expect(body.data).toBeUndefined();
  });

  it("shows the subgraph SDL only to an authenticated caller (a gateway composing with its token)", async () => {
    const anonymous = await post(stack.facade.graphqlUrl, { query: "{ _service { sdl } }" });
    expect(anonymous.body.errors[0].extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "missing_token" });
    expect(anonymous.text).not.toContain("OAuthClient");
    const hidden = await post(stack.facade.graphqlUrl, {
      query: "query Q { ...S } fragment S on Query { _service { sdl } }",
    });
    expect(hidden.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const gateway = await post(
      stack.facade.graphqlUrl,
      { query: "{ _service { sdl } }" },
      { authorization: `Bearer ${stack.token}` },
    );
    expect(gateway.body.data._service.sdl).toContain("type OAuthClient");
  });

  it("serves no GraphiQL page", async () => {
    const response = await fetch(stack.facade.graphqlUrl, { headers: { accept: "text/html" } });
    expect(response.headers.get("content-type") ?? "").not.toContain("text/html");
    expect(await response.text()).not.toContain("YogaGraphiQL");
  });
});

describe("bounds on fan-out and answer size", () => {
  let stack: Stack;
  let small: Stack;
  beforeAll(async () => {
    stack = await startStack();
    small = await startStack({ LIMIT_MAX_RESPONSE_BYTES: "300", LIMIT_MAX_REPRESENTATIONS: "5" });
  });
  afterAll(async () => {
    await stack.close();
    await small.close();
  });
  beforeEach(async () => {
    await stack.resetUpstreamStats();
    await small.resetUpstreamStats();
  });

  const entities = (count: number) => ({
    query: "query E($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { id } } }",
    variables: {
      r: Array.from({ length: count }, (_, i) => ({ __typename: "OAuthClient", id: cyclingFixtureClientId(i) })),
    },
  });

  it("refuses more _entities representations than LIMIT_MAX_REPRESENTATIONS (default 100), before any upstream call", async () => {
    const auth = { authorization: `Bearer ${await stack.mint([READ])}` };
    const refused = await post(stack.facade.graphqlUrl, entities(101), auth);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "representations" });
    expect(refused.body.data).toBeUndefined();
    expect((await stack.upstreamStats()).calls.GetClient ?? 0).toBe(0);
    const allowed = await post(stack.facade.graphqlUrl, entities(100), auth);
    expect(allowed.body.data._entities).toHaveLength(100);
  });

  it("counts representations across every _entities field of an operation", async () => {
    const auth = { authorization: `Bearer ${await small.mint([READ])}` };
    const query = `query E($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }`;
    const variables = { r: [1, 2, 3].map((n) => ({ __typename: "OAuthClient", id: fixtureClientId(n) })) };
    const { body } = await post(small.facade.graphqlUrl, { query, variables }, auth);
    expect(body.errors[0].extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "representations" });
    expect((await small.upstreamStats()).calls.GetClient ?? 0).toBe(0);
  });

  it("replaces an answer larger than LIMIT_MAX_RESPONSE_BYTES by a typed error", async () => {
    const auth = { authorization: `Bearer ${small.token}` };
    const query = `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name description redirectUri websiteUrl logoUrl applicationBindings { applicationId config { jsonConfig } } postLogoutRedirectUris } }`;
    const { text, body } = await post(small.facade.graphqlUrl, { query }, auth);
    expect(body.errors[0].extensions).toMatchObject({ code: "QUERY_LIMIT_EXCEEDED", limit: "response_size" });
    expect(text).not.toContain("My OAuth App");
    const fits = await post(
      small.facade.graphqlUrl,
      { query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }` },
      auth,
    );
    expect(fits.body.data.oauthClient.name).toBe("My OAuth App");
  });
});

describe("every refusal is typed", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  const strict = { accept: "application/graphql-response+json" };

  it("malformed JSON: 400, BAD_REQUEST, and nothing of the body echoed back", async () => {
    const { status, text, body } = await post(stack.facade.graphqlUrl, '{"query": "{ secret-marker-xyz');
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(text).not.toContain("secret-marker-xyz");
    expect(text).not.toContain("originalError");
  });

  it("a GET with a bearer token and no CSRF header is answered: Authorization is preflighted by every browser", async () => {
    const query = encodeURIComponent(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }`);
    const response = await fetch(`${stack.facade.graphqlUrl}?query=${query}`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).data.oauthClient.name).toBe("My OAuth App");
  });

  it("a GET without the CSRF header: 403, CSRF_HEADER_REQUIRED", async () => {
    const response = await fetch(`${stack.facade.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`);
    expect(response.status).toBe(403);
    expect((await response.json()).errors[0].extensions.code).toBe("CSRF_HEADER_REQUIRED");
  });

  it("a variable that does not coerce: BAD_USER_INPUT, 400 for graphql-response+json", async () => {
    const query = "query Q($id: ID!) { oauthClient(id: $id) { id } }";
    const { status, body } = await post(
      stack.facade.graphqlUrl,
      { query, variables: { id: { nested: true } } },
      strict,
    );
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("a subscription: OPERATION_NOT_SUPPORTED, 400 for graphql-response+json", async () => {
    const { status, body } = await post(stack.facade.graphqlUrl, { query: "subscription { x }" }, strict);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBeDefined();
  });

  it("a limit: QUERY_LIMIT_EXCEEDED naming it, not a syntax error; 400 for graphql-response+json, 200 for application/json", async () => {
    const query = `{ ${Array.from({ length: 61 }, (_, i) => `a${i}: oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id }`).join(" ")} }`;
    const refused = await post(stack.facade.graphqlUrl, { query }, strict);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions).toEqual({ code: "QUERY_LIMIT_EXCEEDED", limit: "aliases" });
    expect(refused.body.errors[0].message).toBe("Aliases limit of 60 exceeded, found 61.");
    expect((await post(stack.facade.graphqlUrl, { query })).status).toBe(200);
  });

  it("a parse error: GRAPHQL_PARSE_FAILED; a validation error: GRAPHQL_VALIDATION_FAILED", async () => {
    expect((await post(stack.facade.graphqlUrl, { query: "{ oauthClient(" })).body.errors[0].extensions.code).toBe(
      "GRAPHQL_PARSE_FAILED",
    );
    expect((await post(stack.facade.graphqlUrl, { query: "{ noSuchField }" })).body.errors[0].extensions.code).toBe(
      "GRAPHQL_VALIDATION_FAILED",
    );
  });
});

describe("secrets are never cacheable", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ CSRF_PREVENTION: "false" });
  });
  afterAll(() => stack.close());

  it("a mutation answer with a new secret carries Cache-Control: no-store", async () => {
    const query = `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`;
    const { headers, body } = await post(
      stack.facade.graphqlUrl,
      { query },
      { authorization: `Bearer ${stack.token}` },
    );
    expect(body.data.regenerateClientSecret.client.clientSecret).toMatch(/^sk_live_/);
    expect(headers.get("cache-control")).toBe("no-store");
  });

  it("a GET query returning a secret carries Cache-Control: no-store", async () => {
    const query = encodeURIComponent(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`);
    const response = await fetch(`${stack.facade.graphqlUrl}?query=${query}`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    expect((await response.json()).data.oauthClient.clientSecret).toMatch(/^sk_live_/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("secrets are no-store on every transport", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it("an event stream carrying a secret is Cache-Control: no-store, with no made-up Content-Encoding", async () => {
    const response = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${stack.token}`,
      },
      body: JSON.stringify({ query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }` }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await response.text()).toMatch(/sk_live_/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-encoding")).toBeNull();
  });
});

describe("anonymous callers cannot drive metrics or logs", () => {
  const logLines: string[] = [];
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LOG_LEVEL: "info" }, { logLines });
  });
  afterAll(() => stack.close());

  it("records no operation name of an unauthenticated caller", async () => {
    const batch = (from: number) =>
      Array.from({ length: 10 }, (_, i) => ({ query: `query Flood${from + i} { __typename }` }));
    for (let from = 0; from < 250; from += 10) await post(stack.facade.graphqlUrl, batch(from));
    await post(
      stack.facade.graphqlUrl,
      { query: "query NamedByAGateway { __typename }" },
      {
        authorization: `Bearer ${stack.token}`,
      },
    );
    const metrics = await (await fetch(`${stack.facade.url}/metrics`)).text();
    expect(metrics).not.toMatch(/Flood\d+/);
    expect(metrics).toMatch(/operation="unauthenticated"/);
    expect(metrics).toMatch(/operation="NamedByAGateway"/);
  });

  it("refuses an unknown _entities __typename with BAD_USER_INPUT and logs no stack", async () => {
    logLines.length = 0;
    const representations = Array.from({ length: 50 }, () => ({ __typename: "constructor", id: EXAMPLE_CLIENT_ID }));
    const { body } = await post(
      stack.facade.graphqlUrl,
      {
        query: "query E($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
        variables: { r: representations },
      },
      { authorization: `Bearer ${stack.token}` },
    );
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(logLines.filter((line) => /"level":(40|50)/.test(line))).toEqual([]);
    expect(logLines.join("\n")).not.toMatch(/"stack"|\n\s+at /);
  });

  it.each([
    ["two spaces after the scheme", (token: string) => `Bearer  ${token}`],
    ["base64 padding after the token", (token: string) => `Bearer ${token}=`],
    ["two tokens", (token: string) => `Bearer ${token} ${token}`],
    ["no scheme", (token: string) => token],
  ])("refuses an Authorization header with %s before any upstream call", async (_name, header) => {
    await stack.resetUpstreamStats();
    const { body } = await post(
      stack.facade.graphqlUrl,
      { query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }` },
      { authorization: header(stack.token) },
    );
    expect(body.errors[0].extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "malformed_token" });
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("accepts the scheme in any case, and forwards the token as `Bearer <token>`", async () => {
    const { body } = await post(
      stack.facade.graphqlUrl,
      { query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }` },
      { authorization: `bEARER ${stack.token}` },
    );
    expect(body.data.oauthClient.id).toBe(EXAMPLE_CLIENT_ID);
  });
});
