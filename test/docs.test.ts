import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README and docs/ hold up: every relative link, every file path they name and every
 * `npm run` script they tell a reader to run exists; the README stays a front door.
 */

const root = new URL("..", import.meta.url).pathname;
const pages = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)];
const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
/** Where a path the docs name starts: the project's own folders and top-level files. */
const PATH =
  /^(?:(?:src|test|docs|bench|deploy|operations|examples|scripts|proto|patches)\/[\w./*[\]-]*|package\.json|schema\.graphql|Containerfile|CHANGELOG\.md|codegen\.ts|tsconfig\.json|buf\.gen\.yaml|buf\.yaml)$/;

/** Whether a path exists, a `*` matching any run of characters within one name. */
function exists(path: string): boolean {
  if (!path.includes("*")) return existsSync(join(root, path));
  const folder = dirname(path);
  const pattern = new RegExp(
    `^${path
      .slice(folder.length + 1)
      .replace(/[.]/g, "\\.")
      .replace(/\*/g, ".*")}$`,
  );
  return existsSync(join(root, folder)) && readdirSync(join(root, folder)).some((name) => pattern.test(name));
}

describe.each(pages)("%s", (page) => {
  const text = readFileSync(join(root, page), "utf8");

  it("links only to files that exist", () => {
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    const missing = links
      .filter((link) => !/^(https?:|mailto:|#)/.test(link))
      .map((link) => join(dirname(page), link.split("#")[0]!))
      .filter((path) => !existsSync(join(root, path)));
    expect(missing).toEqual([]);
  });

  it("names only paths that exist", () => {
    const named = [...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]!).filter((token) => PATH.test(token));
    expect(named.filter((path) => !exists(path))).toEqual([]);
  });

  it("tells a reader to run only scripts that exist", () => {
    const runs = [...text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((match) => match[1]!);
    expect(runs.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("lists its sections in its contents, each linking to a heading of its own", () => {
    if (page === "README.md") return;
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((match) =>
      match[1]!
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .replaceAll(" ", "-"),
    );
    const contents = [...text.matchAll(/^- \[[^\]]+\]\(#([^)]+)\)$/gm)].map((match) => match[1]!);
    expect(contents).toEqual(headings);
  });
});

describe("the README", () => {
  it("is a front door: at most 300 lines, the two set-up commands first, then a map of docs/", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
    const start = readme.indexOf("npm ci && npm start");
    const test = readme.indexOf("npm ci && npm test");
    expect(start).toBeGreaterThan(0);
    expect(test).toBeGreaterThan(start);
    expect(readme.indexOf("## ")).toBeLessThan(start);
    for (const page of pages.filter((name) => name.startsWith("docs/"))) expect(readme).toContain(`](${page})`);
  });
});
