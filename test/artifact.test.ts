import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPE_READ } from "../src/auth/scopes.js";
import { upstreamEnvironment } from "../src/config/upstream-settings.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { type DevUpstream, startDevUpstream } from "../src/dev-upstream/server.js";
import { launchChromium } from "./support/browser.js";
import { type BundleRun, runBundle } from "./support/bundle-process.js";
import { startReceiver } from "./support/otlp-receiver.js";

const root = new URL("..", import.meta.url).pathname;

/** Makes a tree read-only for everyone: directories r-x, files r--. */
function readOnly(path: string) {
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    if (statSync(child).isDirectory()) readOnly(child);
    else chmodSync(child, 0o444);
  }
  chmodSync(path, 0o555);
}

describe("the production artifact: dist/ alone, in an empty directory, on the project's Node", () => {
  let scratch: string;
  let app: string;
  let upstream: DevUpstream;
  let run: BundleRun;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "ocg-artifact-"));
    chmodSync(scratch, 0o755);
    app = join(scratch, "app");
    cpSync(join(root, "dist"), app, { recursive: true });
    readOnly(app);
    upstream = await startDevUpstream();
    // As a user that cannot write to it (nobody), where this runs as root.
    const asNobody = process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {};
    run = { cwd: app, entry: "oauth-clients-graph.mjs", ...asNobody };
  });
  afterAll(async () => {
    await upstream.close();
    chmodSync(join(scratch, "app"), 0o755);
    rmSync(scratch, { recursive: true, force: true });
  });

  const environment = (more: Record<string, string> = {}) => ({
    PORT: "0",
    LOG_LEVEL: "info",
    SHUTDOWN_DELAY_MS: "0",
    ...upstreamEnvironment(upstream),
    ...more,
  });

  /** Starts the artifact, runs `use` against its GraphQL URL, then stops it and expects a clean exit. */
  async function withArtifact(env: Record<string, string>, use: (graphqlUrl: string) => Promise<void>) {
    const started = runBundle(env, run);
    try {
      await use(await started.listening);
    } finally {
      started.child.kill("SIGTERM");
    }
    expect(await started.exited, started.output().stderr).toBe(0);
  }

  const read = async (graphqlUrl: string) => {
    const token = await upstream.tokens.mint({ scopes: [SCOPE_READ] });
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }` }),
    });
    return response.json();
  };

  it("holds no node_modules and answers a read", async () => {
    expect(readdirSync(app)).toEqual(["chunks", "oauth-clients-graph.mjs"]);
    await withArtifact(environment(), async (graphqlUrl) => {
      expect(await read(graphqlUrl)).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
    });
  });

  it("sends its spans to an OTLP receiver when tracing is configured", async () => {
    const receiver = await startReceiver();
    try {
      await withArtifact(environment({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }), async (graphqlUrl) => {
        expect((await read(graphqlUrl)).data.oauthClient.name).toBe("My OAuth App");
      });
      // Spans are flushed at shutdown, which the clean exit above has waited for.
      expect(receiver.spans.map((span) => span.name)).toContain("xeonr.auth.api.v1.ClientsService/GetClient");
    } finally {
      receiver.server.close();
    }
  });

  it("renders GraphiQL in a browser with INTROSPECTION=true", async () => {
    await withArtifact(environment({ INTROSPECTION: "true" }), async (graphqlUrl) => {
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(graphqlUrl);
        await tab.locator(".graphiql-execute-button").waitFor({ timeout: 20_000 });
      } finally {
        await browser.close();
      }
    });
  });

  it("refuses a Node older than the one it targets, in one line naming both versions", async () => {
    // This machine's Node is the project's: an older one is played by its version string.
    const older = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.20.2'})";
    const started = runBundle(environment(), { ...run, nodeOptions: ["--import", older] });
    expect(await started.exited).toBe(1);
    expect(started.output().stderr.trim().split("\n")).toEqual([
      "oauth-clients-graph needs Node 24.11.0 or newer, and this is Node 20.20.2: run it with the project's Node (npm run serve) or a Node 24 image.",
    ]);
  });

  it("targets the Node that package.json's engines name", () => {
    const engines = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node as string;
    const entry = readFileSync(join(root, "src/entry/production.ts"), "utf8");
    expect(engines).toMatch(new RegExp(`^>=${/MINIMUM_NODE = "([\d.]+)"/.exec(entry)![1]!.replaceAll(".", "\\.")} `));
  });
});
