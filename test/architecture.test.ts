import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parse } from "@babel/parser";
import { describe, expect, it } from "vitest";

/**
 * The flow runs one way: HTTP → GraphQL → context → permissions → schema → loaders → upstream,
 * each step importing only from the steps below it (and from the modules every step shares:
 * configuration, errors, logs, metrics, auth); no module is part of an import circle. The
 * permission table is the one exception, by design: the single source of who may see what,
 * which the schema's directives and descriptions derive from.
 */

const src = new URL("../src/", import.meta.url).pathname;
/** Each step's rank, top of the flow first; anything unranked is shared by all. */
const RANK: Record<string, number> = {
  entry: 0,
  "facade.ts": 1,
  http: 2,
  graphql: 3,
  context: 4,
  permissions: 5,
  schema: 6,
  loaders: 7,
  upstream: 8,
};
const SHARED_BY_DESIGN = ["permissions/table.ts"];

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return path.endsWith("/gen") ? [] : sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** Each source file's imports of other source files, static and dynamic. */
const graph = new Map(
  sources(src).map((file) => {
    const text = readFileSync(file, "utf8");
    const specifiers = [
      ...text.matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)"/gms),
      ...text.matchAll(/import\("(\.[^"]+)"\)/g),
    ].map((match) => resolve(dirname(file), match[1]!.replace(/\.js$/, ".ts")));
    return [file, [...new Set(specifiers)]];
  }),
);
const name = (file: string) => relative(src, file);
const step = (file: string) => RANK[name(file).split("/")[0]!];

describe("the import graph of src/", () => {
  it("has no circle", () => {
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      path.push(file);
      for (const imported of graph.get(file) ?? []) {
        if (state.get(imported) === "open") circles.push(path.slice(path.indexOf(imported)).map(name).join(" → "));
        else if (!state.has(imported)) visit(imported);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it("gives no two modules of the service one name", () => {
    const names = [...graph.keys()]
      .filter((file) => !name(file).startsWith("dev-"))
      .map((file) => file.split("/").pop()!);
    expect(names.filter((base, index) => names.indexOf(base) !== index)).toEqual([]);
  });

  it("never imports upward", () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((imported) => !SHARED_BY_DESIGN.includes(name(imported)))
        .filter((imported) => (step(imported) ?? Infinity) < (step(file) ?? -Infinity))
        .map((imported) => `${name(file)} → ${name(imported)}`),
    );
    expect(upward).toEqual([]);
  });
});

/** Lines a function of the service may span: past this, it does more than one job. */
const MAX_FUNCTION_LINES = 90;
const FUNCTIONS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ObjectMethod",
  "ClassMethod",
]);

describe("the functions of src/", () => {
  it(`span at most ${MAX_FUNCTION_LINES} lines each`, () => {
    const long: string[] = [];
    const visit = (node: unknown, file: string) => {
      if (!node || typeof node !== "object") return;
      const { type, loc } = node as { type?: string; loc?: { start: { line: number }; end: { line: number } } };
      if (type && FUNCTIONS.has(type) && loc) {
        const lines = loc.end.line - loc.start.line + 1;
        if (lines > MAX_FUNCTION_LINES) long.push(`${name(file)}:${loc.start.line} (${lines} lines)`);
      }
      for (const [key, value] of Object.entries(node)) {
        if (key === "loc" || key === "leadingComments" || key === "trailingComments") continue;
        if (Array.isArray(value)) for (const item of value) visit(item, file);
        else visit(value, file);
      }
    };
    for (const file of graph.keys()) {
      if (name(file).startsWith("dev-")) continue;
      const program = parse(readFileSync(file, "utf8"), { sourceType: "module", plugins: ["typescript"] });
      visit(program.program, file);
    }
    expect(long).toEqual([]);
  });
});
