import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPE_READ } from "../src/auth/scopes.js";
import { upstreamEnvironment } from "../src/config/upstream-settings.js";
import { SEED_CLIENTS } from "../src/dev-upstream/seed.js";
import { type DevUpstream, startDevUpstream } from "../src/dev-upstream/server.js";
import { BUNDLE, runBundle } from "./support/bundle-process.js";

describe("the production bundle (built by npm run build)", () => {
  const dist = new URL("../dist/", import.meta.url);
  const files = readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".mjs"));
  // The entry and its chunks: every file the bundle can run.
  const bundle = files.map((name) => readFileSync(new URL(name, dist), "utf8")).join("\n");
  // What `node` evaluates at start: the entry and the chunks it imports statically,
  // transitively, not those it loads on demand with `import()` — but for the service itself,
  // which the entry imports at once, once the Node version is checked.
  const loadedAtStart = (() => {
    const seen = new Set<string>();
    const visit = (file: URL): string[] => {
      if (seen.has(file.href)) return [];
      seen.add(file.href);
      const text = readFileSync(file, "utf8");
      const imports = [
        ...text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.mjs)"/g),
        ...text.matchAll(/await import\("(\.{1,2}\/[^"]*production-service[^"]*\.mjs)"\)/g),
      ];
      return [text, ...imports.flatMap((match) => visit(new URL(match[1]!, file)))];
    };
    return visit(new URL(`../${BUNDLE}`, import.meta.url)).join("\n");
  })();

  it("holds no development upstream: no fixture secret, no /__dev route, no token minting", () => {
    const secrets = SEED_CLIENTS.map((client) => client.clientSecret);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(bundle).not.toContain(secret);
    expect(bundle).not.toContain("sk_live_");
    expect(bundle).not.toContain("__dev");
    expect(bundle).not.toContain("SignJWT");
    expect(bundle).not.toContain("dev-issuer");
  });

  it("starts a cluster's primary without the GraphQL stack: what loads at start is configuration and logging only", () => {
    expect(loadedAtStart).toContain("node_modules/zod");
    expect(loadedAtStart).toContain("node_modules/pino");
    for (const loadedByWorkersOnly of ["node_modules/graphql", "graphql-yoga", "@connectrpc", "@bufbuild/protobuf"]) {
      expect(loadedAtStart).not.toContain(loadedByWorkersOnly);
      expect(bundle).toContain(loadedByWorkersOnly);
    }
  });

  it("refuses to start without its upstream settings, naming each one, with a non-zero exit", async () => {
    const run = runBundle({ PORT: "0" });
    expect(await run.exited).not.toBe(0);
    const { stderr } = run.output();
    for (const name of ["UPSTREAM_URL", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE"]) {
      expect(stderr).toContain(`${name}: is required in production`);
    }
  });

  it("refuses to start when only UPSTREAM_URL is missing, naming it", async () => {
    const run = runBundle({
      PORT: "0",
      AUTH_JWKS_URL: "http://127.0.0.1:1/jwks.json",
      AUTH_ISSUER: "urn:issuer",
      AUTH_AUDIENCE: "urn:audience",
    });
    expect(await run.exited).not.toBe(0);
    expect(run.output().stderr).toMatch(/UPSTREAM_URL: is required in production/);
    expect(run.output().stderr).not.toMatch(/AUTH_/);
  });

  describe("configured with an upstream", () => {
    let upstream: DevUpstream;
    beforeAll(async () => {
      upstream = await startDevUpstream();
    });
    afterAll(() => upstream.close());

    it("serves that upstream's OAuth clients and logs the Node version it runs on", async () => {
      const run = runBundle({ PORT: "0", LOG_LEVEL: "info", SHUTDOWN_DELAY_MS: "0", ...upstreamEnvironment(upstream) });
      try {
        const url = await run.listening;
        expect(run.output().stdout).toContain(`"node":"${process.version}"`);
        const token = await upstream.tokens.mint({ scopes: [SCOPE_READ] });
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: `{ oauthClient(id: "${SEED_CLIENTS[0]!.clientId}") { name } }` }),
        });
        expect(await response.json()).toEqual({ data: { oauthClient: { name: SEED_CLIENTS[0]!.name } } });
      } finally {
        run.child.kill("SIGTERM");
        expect(await run.exited).toBe(0);
      }
    });
  });
});
