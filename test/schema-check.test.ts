import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { schemaChanges } from "../scripts/schema-changes.js";
import { startStack } from "./support/stack.js";

const BASE = `
  type Query { client(id: ID!, first: Int): Client }
  type Client { id: ID! name: String! tags: [String!]! kind: Kind }
  enum Kind { PUBLIC CONFIDENTIAL }
  input Rename { id: ID! name: String }
  type Mutation { rename(input: Rename!): Client! }
`;

/** BASE with one edit: `from` replaced by `to`. */
const edited = (from: string, to: string) => {
  expect(BASE).toContain(from);
  return BASE.replace(from, to);
};

describe("schema changes as graphql-inspector rates them", () => {
  it("finds a new nullable field safe", async () => {
    const changes = await schemaChanges(BASE, edited("kind: Kind }", "kind: Kind logoUrl: String }"));
    expect(changes).toEqual([expect.objectContaining({ level: "NON_BREAKING", path: "Client.logoUrl" })]);
  });

  it("finds a new enum value dangerous: a client's exhaustive switch may miss it", async () => {
    const changes = await schemaChanges(BASE, edited("CONFIDENTIAL }", "CONFIDENTIAL DEVICE }"));
    expect(changes).toEqual([expect.objectContaining({ level: "DANGEROUS", path: "Kind.DEVICE" })]);
  });

  it.each([
    ["a removed field", "name: String! tags", "tags", "Client.name"],
    ["an output field made nullable", "name: String!", "name: String", "Client.name"],
    ["an input field made non-null", "name: String }", "name: String! }", "Rename.name"],
    ["an argument's type changed", "first: Int", "first: String", "Query.client.first"],
  ])("finds %s breaking", async (_what, from, to, path) => {
    const changes = await schemaChanges(BASE, edited(from, to));
    expect(changes[0]).toEqual(expect.objectContaining({ level: "BREAKING", path }));
  });
});

describe("npm run schema:check", () => {
  const check = (...args: string[]) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/schema-check.ts", ...args]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it("passes against the committed schema.graphql", async () => {
    const { code, stdout } = await check();
    expect(stdout).toContain("No changes.");
    expect(code).toBe(0);
  });

  it("fails on a breaking change, printing each change with its criticality", async () => {
    // A base that had a field this code no longer has: removing it breaks its clients.
    const committed = readFileSync("schema.graphql", "utf8");
    const base = join(mkdtempSync(join(tmpdir(), "schema-check-")), "production.graphql");
    writeFileSync(base, committed.replace("  name: String!", "  name: String!\n  legacyName: String"));
    const { code, stdout } = await check("--base", base);
    expect(stdout).toMatch(/^BREAKING\s+Field 'legacyName' .*removed/m);
    expect(code).toBe(1);
  });

  it("takes a running subgraph's /graphql as the base, reading its _service SDL", async () => {
    const stack = await startStack();
    try {
      const { code, stdout } = await check("--base", stack.facade.graphqlUrl);
      expect(stdout).toContain("No changes.");
      expect(code).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
