import { readdirSync, readFileSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES, LIBRARY_MESSAGES } from "../src/errors.js";
import { READ, type Stack, startStack } from "./support/stack.js";

const root = new URL("..", import.meta.url).pathname;

/** Every TypeScript file under a folder. */
function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("the error catalog", () => {
  it("is the error table of docs/frontend.md, row for row", () => {
    const page = readFileSync(join(root, "docs/frontend.md"), "utf8");
    const section = page.slice(page.indexOf("## Errors"));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` +\| (.+?) +\|$/gm)].map((row) => [row[1], row[2]]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_CODES);
  });

  it('is the only place a caller-facing code is written: no other source spells `code: "…"`', () => {
    const spelled = sources(join(root, "src"))
      .filter((path) => !path.includes("/gen/") && !path.includes("/dev-upstream/") && !path.endsWith("src/errors.ts"))
      .flatMap((path) =>
        [...readFileSync(path, "utf8").matchAll(/\bcode: "([A-Z_]+)"/g)].map((match) => `${path}: ${match[1]}`),
      );
    expect(spelled).toEqual([]);
  });
});

describe("errors the libraries make, recognised against the installed versions", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** Each recognised message, produced by the library that makes it. */
  const produce: Record<keyof typeof LIBRARY_MESSAGES, () => Promise<Response>> = {
    CSRF_HEADER_REQUIRED: () => fetch(`${stack.facade.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`),
    OPERATION_NOT_SUPPORTED: () => post({ query: "subscription { __typename }" }),
    GRAPHQL_PARSE_FAILED: () => post({ query: "{ oauthClient(" }),
    BAD_USER_INPUT: () => post({ query: "query Q($id: ID!) { oauthClient(id: $id) { id } }", variables: { id: [] } }),
  };
  const post = (body: unknown) =>
    fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.token}` },
      body: JSON.stringify(body),
    });

  it.each(Object.keys(produce) as (keyof typeof LIBRARY_MESSAGES)[])(
    "%s: the message it is known by, the first time and once the operation is compiled",
    async (code) => {
      // graphql-jit compiles an operation on its second use: both paths must say the same.
      for (let time = 0; time < 3; time++) {
        const { errors } = (await (await produce[code]()).json()) as {
          errors: { message: string; extensions: { code: string } }[];
        };
        expect(errors[0]!.message).toMatch(LIBRARY_MESSAGES[code]);
        expect(errors[0]!.extensions.code).toBe(code);
      }
    },
  );
});

describe("every code of the catalog, as a caller meets it over HTTP", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const id = "550e8400-e29b-41d4-a716-446655440000";
  const unknown = "00000000-0000-4000-8000-000000000000";
  const rotate = (clientId: string, selection = "client { clientSecret }") =>
    `regenerateClientSecret(input: { clientId: "${clientId}" }) { ${selection} }`;
  const post = async (body: unknown, token: string | null = stack.token) => {
    const response = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return response.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>;
  };
  const get = async (query: string, headers: Record<string, string> = {}) =>
    (await fetch(`${stack.facade.graphqlUrl}?query=${encodeURIComponent(query)}`, { headers })).json() as Promise<{
      errors?: { extensions?: { code?: string } }[];
    }>;
  /** Answered by the server to a request whose Host header fetch would not let us set. */
  const withHost = (host: string) =>
    new Promise<{ errors?: { extensions?: { code?: string } }[] }>((resolve, reject) => {
      const url = new URL(stack.facade.graphqlUrl);
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: { host, "content-type": "application/json", "content-length": "2" },
        },
        (response) => {
          let text = "";
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () => resolve(JSON.parse(text)));
        },
      );
      request.on("error", reject);
      request.end("{}");
    });

  const produce: Record<keyof typeof ERROR_CODES, () => Promise<{ errors?: { extensions?: { code?: string } }[] }>> = {
    UNAUTHENTICATED: () => post({ query: `{ oauthClient(id: "${id}") { id } }` }, null),
    FORBIDDEN: async () => post({ query: `{ oauthClient(id: "${id}") { clientSecret } }` }, await stack.mint([READ])),
    BAD_USER_INPUT: () => post({ query: `{ oauthClient(id: "not-a-uuid") { id } }` }),
    NOT_FOUND: () => post({ query: `mutation { ${rotate(unknown)} }` }),
    DUPLICATE_ROTATION: () => post({ query: `mutation { a: ${rotate(id)} b: ${rotate(id)} }` }),
    SECRET_NOT_SELECTED: () => post({ query: `mutation { ${rotate(id, "client { id }")} }` }),
    QUERY_LIMIT_EXCEEDED: () => post({ query: `{ ${Array(300).fill("__typename").join(" ")} }` }),
    UPSTREAM_UNAVAILABLE: async () => {
      await stack.failUpstream("unavailable", 3);
      return post({ query: `{ oauthClient(id: "${id}") { id } }` });
    },
    UPSTREAM_TIMEOUT: async () => {
      await stack.failUpstream("deadline_exceeded", 1);
      return post({ query: `{ oauthClient(id: "${id}") { id } }` });
    },
    UPSTREAM_OUTCOME_UNKNOWN: async () => {
      await stack.faultUpstream("reset", 1);
      return post({ query: `mutation { ${rotate(id)} }` });
    },
    RATE_LIMITED: async () => {
      await stack.failUpstream("resource_exhausted", 1);
      return post({ query: `{ oauthClient(id: "${id}") { id } }` });
    },
    INTERNAL_SERVER_ERROR: async () => {
      await stack.faultUpstream("malformed", 1);
      return post({ query: `{ oauthClient(id: "${id}") { id } }` });
    },
    GRAPHQL_PARSE_FAILED: () => post({ query: "{ oauthClient(" }),
    GRAPHQL_VALIDATION_FAILED: () => post({ query: "{ nope }" }),
    OPERATION_NOT_SUPPORTED: () => post({ query: "subscription { __typename }" }),
    BAD_REQUEST: () => post("null"),
    METHOD_NOT_ALLOWED: () => get(`mutation { ${rotate(id)} }`, { "x-graphql-csrf": "1" }),
    CSRF_HEADER_REQUIRED: () => get("{ __typename }"),
    HOST_NOT_ALLOWED: () => withHost("rebound.example"),
  };

  it.each(Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[])("%s", async (code) => {
    const { errors } = await produce[code]();
    expect(errors?.[0]?.extensions?.code).toBe(code);
  });
});
