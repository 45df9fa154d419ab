import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUNDLE } from "./support/bundle-process.js";

/**
 * What can be checked here of the image recipe: no base image can be pulled on this
 * project's machines, so the Containerfile is read, and held to what test/artifact.test.ts
 * starts (dist/, alone) and runs (its entry, on Node 24).
 */
const root = new URL("..", import.meta.url);
const recipe = readFileSync(new URL("Containerfile", root), "utf8");
const packageJson = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

/** The recipe's stages: each FROM line and the instructions under it, continuation lines joined. */
function stages() {
  const instructions = recipe
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const result: { from: string; name: string | undefined; lines: string[] }[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ from: from[1]!, name: from[2], lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

describe("the container image recipe", () => {
  const [build, runtime, ...more] = stages();

  it("has two stages: the project's own install and build, then the runtime", () => {
    expect(more).toEqual([]);
    expect(build!.from).toMatch(/^docker\.io\/library\/node:24-/);
    expect(build!.lines).toContain("RUN npm ci --no-audit --no-fund");
    expect(build!.lines).toContain("RUN npm run build");
  });

  it("runs on an official Node 24 base, distroless, as a non-root user", () => {
    expect(runtime!.from).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot$/);
    expect(runtime!.lines).toContain("USER nonroot");
  });

  it("copies exactly the artifact the artifact test starts, and runs exactly its entry, node as PID 1", () => {
    const copies = runtime!.lines.filter((line) => line.startsWith("COPY"));
    expect(copies).toEqual([`COPY --from=${build!.name} --chown=0:0 /src/dist/ /app/`]);
    expect(runtime!.lines).toContain("WORKDIR /app");
    // Exec form: no shell between node and SIGTERM. The distroless image's entrypoint is node.
    expect(runtime!.lines.filter((line) => /^(CMD|ENTRYPOINT)/.test(line))).toEqual([
      `CMD ["${BUNDLE.replace(/^dist\//, "")}"]`,
    ]);
  });

  it("listens on all interfaces at the port it exposes", () => {
    const env = runtime!.lines.find((line) => line.startsWith("ENV "))!;
    expect(env).toContain("HOST=0.0.0.0");
    const port = /PORT=(\d+)/.exec(env)![1];
    expect(runtime!.lines).toContain(`EXPOSE ${port}`);
  });

  it("carries OCI labels, its version the package's", () => {
    const labels = runtime!.lines.find((line) => line.startsWith("LABEL "))!;
    for (const label of ["source", "version", "licenses", "title"]) {
      expect(labels).toContain(`org.opencontainers.image.${label}=`);
    }
    expect(runtime!.lines).toContain(`ARG VERSION=${packageJson.version}`);
  });

  it("sends no installed or built files into the build context", () => {
    for (const file of [".containerignore", ".dockerignore"]) {
      const ignored = readFileSync(new URL(file, root), "utf8").split("\n");
      expect(ignored).toEqual(expect.arrayContaining(["node_modules/", "dist/", ".dev/", ".git/"]));
    }
  });
});

describe("releases", () => {
  it("name one version in package.json, the changelog's latest section and the image's label", () => {
    const changelog = readFileSync(new URL("CHANGELOG.md", root), "utf8");
    const latest = /^## (\d+\.\d+\.\d+)/m.exec(changelog)![1];
    expect(latest).toBe(packageJson.version);
    expect(recipe).toContain(`ARG VERSION=${packageJson.version}`);
  });
});
