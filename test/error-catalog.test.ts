import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES, LIBRARY_MESSAGES } from "../src/errors.js";
import { type Stack, startStack } from "./support/stack.js";

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
  it("is the README's error table, row for row", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("## Scripts"));
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
