import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { type ExecutionResult, execute, graphql, parse } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { allow, chain, deny, race, rule, shield } from "graphql-shield";
import { createSchema } from "graphql-yoga";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

describe("the runtime the project brings", () => {
  it("runs the tests on Node 24 or later, as package.json declares", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
    const { engines } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
    expect(engines.node).toMatch(/^>=24/);
  });

  it("has each patch under patches/ for exactly the installed version: a new release fails here until its patch is reviewed", () => {
    const patches = readdirSync(`${root}patches`);
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      // patch-package's names: "graphql-shield+7.6.5.patch", "@pothos+plugin-federation+4.4.2.patch".
      const parts = patch.replace(/\.patch$/, "").split("+");
      const version = parts.pop()!;
      const name = parts.join("/");
      const installed = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, "utf8")).version;
      expect({ name, version }).toEqual({ name, version: installed });
    }
  });
});

describe("a quiet install", () => {
  it("leaves no peer dependency unmet in the lockfile, so npm ci has no ERESOLVE to warn of", async () => {
    // npm ls exits 1 (ELSPROBLEMS, "invalid: …") for every peer range the locked tree overrides.
    const listing = promisify(execFile)("npm", ["ls", "--all", "--package-lock-only"], { cwd: root });
    await expect(listing).resolves.toBeDefined();
  }, 30_000);
});

describe("graphql-shield, patched for Node ≥ 23 and for verdicts known at once (patches/)", () => {
  it("imports, and runs chain and race rules (the code that called util.isUndefined)", async () => {
    const schema = createSchema({
      typeDefs: "type Query { chained: String, chainedDenied: String, raced: String, racedDenied: String }",
      resolvers: { Query: { chained: () => "c", chainedDenied: () => "x", raced: () => "r", racedDenied: () => "x" } },
    });
    const seen: string[] = [];
    const passes = (name: string) =>
      rule(name)(() => {
        seen.push(name);
        return true;
      });
    const permissions = shield(
      {
        Query: {
          chained: chain(passes("first"), passes("second")),
          chainedDenied: chain(passes("third"), deny),
          raced: race(deny, passes("fourth")),
          racedDenied: race(deny, deny),
        },
      },
      { fallbackRule: allow },
    );
    const result = await graphql({
      schema: applyMiddleware(schema, permissions),
      source: "{ chained chainedDenied raced racedDenied }",
    });
    expect(result.data).toEqual({ chained: "c", chainedDenied: null, raced: "r", racedDenied: null });
    expect(result.errors?.map((error) => error.path?.[0]).sort()).toEqual(["chainedDenied", "racedDenied"]);
    expect(seen.sort()).toEqual(["first", "fourth", "second", "third"]);
  });

  describe("a field whose rule passes at once resolves without shield's promises", () => {
    const typeDefs = "type Query { a: String, b: String, secret: String, failing: String, open: String }";
    const resolvers = {
      Query: {
        a: () => "a",
        b: () => "b",
        secret: () => "s",
        failing: () => {
          throw new Error("the resolver's own error");
        },
        open: () => "o",
      },
    };
    function guarded(decide: (context: { scopes: string[] }) => true | Error | Promise<true | Error>) {
      const calls = { read: 0 };
      const read = rule("read", { cache: "contextual" })((_parent, _args, context) => {
        calls.read += 1;
        return decide(context);
      });
      const manage = rule("manage", { cache: "contextual" })((_parent, _args, context) =>
        context.scopes.includes("manage") ? true : new Error("needs manage"),
      );
      const permissions = shield(
        { Query: { a: read, b: read, failing: read, secret: manage } },
        { fallbackRule: allow, allowExternalErrors: true },
      );
      return { schema: applyMiddleware(createSchema({ typeDefs, resolvers }), permissions), calls };
    }
    const run = (schema: ReturnType<typeof guarded>["schema"], source: string, scopes: string[]) =>
      execute({ schema, document: parse(source), contextValue: { scopes } });

    it("answers synchronously, running the contextual rule once per context", () => {
      const { schema, calls } = guarded((context) =>
        context.scopes.includes("read") ? true : new Error("needs read"),
      );
      const result = run(schema, "{ a b open }", ["read"]);
      // graphql-js returns a promise as soon as one field resolves to one.
      expect(result).not.toBeInstanceOf(Promise);
      expect((result as ExecutionResult).data).toEqual({ a: "a", b: "b", open: "o" });
      expect(calls.read).toBe(1);
    });

    it("keeps shield's refusal for a rule that does not pass: that field null with the rule's error, the rest answered", async () => {
      const { schema } = guarded(() => true);
      const result = await run(schema, "{ a secret open }", ["read"]);
      expect(result.data).toEqual({ a: "a", secret: null, open: "o" });
      expect(result.errors?.map((error) => [error.path?.[0], error.message])).toEqual([["secret", "needs manage"]]);
    });

    it("keeps a resolver's own error, as shield's allowExternalErrors passes it", async () => {
      const { schema } = guarded(() => true);
      const result = await run(schema, "{ failing a }", ["read"]);
      expect(result.data).toEqual({ failing: null, a: "a" });
      expect(result.errors?.map((error) => error.message)).toEqual(["the resolver's own error"]);
    });

    it("takes shield's own path for a rule that answers with a promise", async () => {
      const { schema, calls } = guarded(async () => true as const);
      const result = run(schema, "{ a b }", ["read"]);
      expect(result).toBeInstanceOf(Promise);
      expect((await result).data).toEqual({ a: "a", b: "b" });
      expect(calls.read).toBe(1);
    });
  });
});
