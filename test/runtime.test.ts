import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { graphql } from "graphql";
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
});

describe("a quiet install", () => {
  it("leaves no peer dependency unmet in the lockfile, so npm ci has no ERESOLVE to warn of", async () => {
    // npm ls exits 1 (ELSPROBLEMS, "invalid: …") for every peer range the locked tree overrides.
    const listing = promisify(execFile)("npm", ["ls", "--all", "--package-lock-only"], { cwd: root });
    await expect(listing).resolves.toBeDefined();
  }, 30_000);
});

describe("graphql-shield, patched for Node ≥ 23 (patches/)", () => {
  it("has a patch for exactly the installed version: a new release fails here until the patch is reviewed", () => {
    const { version } = JSON.parse(readFileSync(`${root}node_modules/graphql-shield/package.json`, "utf8"));
    expect(existsSync(`${root}patches/graphql-shield+${version}.patch`)).toBe(true);
  });

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
});
