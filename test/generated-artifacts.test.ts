import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse, print } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_OPERATION } from "../src/graphql/graphiql.js";
import { printSchemaSDL } from "../src/schema/schema.js";

const root = new URL("..", import.meta.url).pathname;

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("committed generated artifacts", () => {
  const scratch = mkdtempSync(join(tmpdir(), "ocg-generate-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("schema.graphql is what the Pothos builder prints (run `npm run schema`)", () => {
    expect(readFileSync(join(root, "schema.graphql"), "utf8")).toBe(printSchemaSDL());
  });

  it("the protobuf code under src/gen is what buf generates from proto/ (run `npm run generate`)", () => {
    execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--output", scratch], { cwd: root });
    const fresh = filesUnder(join(scratch, "src/gen"));
    const committed = filesUnder(join(root, "src/gen"));
    expect(fresh.size).toBeGreaterThan(0);
    expect(committed).toEqual(fresh);
  });

  it("the typed documents under test/gen are what codegen.ts generates (run `npm run codegen`)", () => {
    const codegen = join(root, "node_modules/.bin/graphql-codegen");
    // --check exits non-zero when any output would change.
    expect(() =>
      execFileSync(codegen, ["--config", "codegen.ts", "--check"], { cwd: root, stdio: "pipe" }),
    ).not.toThrow();
  });
});

describe("the example operation", () => {
  it("GraphiQL opens with is exactly operations/ExampleClient.graphql", () => {
    expect(EXAMPLE_OPERATION).toBe(readFileSync(join(root, "operations/ExampleClient.graphql"), "utf8"));
  });
});

describe("the README's examples", () => {
  it("are exactly the operations kept in operations/, from which typed documents are generated", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const inReadme = [...readme.matchAll(/"query":("(?:[^"\\]|\\.)*")/g)].map((match) =>
      print(parse(JSON.parse(match[1]!))),
    );
    const kept = [...filesUnder(join(root, "operations")).values()].map((text) => print(parse(text)));
    expect(inReadme.length).toBeGreaterThan(0);
    expect(inReadme.sort()).toEqual(kept.sort());
  });
});
