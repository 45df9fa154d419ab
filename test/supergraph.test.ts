import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExampleClientDocument } from "../examples/gql/graphql.js";
import { runTrusted } from "../examples/read-client.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import type { DevUpstreamStats } from "../src/dev-upstream/server.js";
import { launchChromium, runGraphiQLQuery } from "./support/browser.js";
import { type BannerProcess, spawnWithBanner } from "./support/service-process.js";

/** `npm run supergraph` as a user starts it, on free ports. */
const BANNER =
  /Gateway \(Hive Gateway, GraphiQL with the read token\): (\S+)[\s\S]*Development upstream: (\S+)[\s\S]*oauth:clients:read:\n\s+(\S+)[\s\S]*oauth:clients:manage:\n\s+(\S+)[\s\S]*oauth:clients:read oauth:clients:manage:\n\s+(\S+)\n[\s\S]*-d '(.+)'\n/;

interface Running extends BannerProcess {
  gateway: string;
  upstream: string;
  tokens: { read: string; manage: string; both: string };
  /** The body of the query the banner prints. */
  printed: string;
}

/** Starts `npm run supergraph` with `env` (its entry under tsx, as the script runs it), once it has printed its banner. */
async function startSupergraph(env: Record<string, string> = {}): Promise<Running> {
  const started = await spawnWithBanner(
    process.execPath,
    ["--import", "tsx", "src/dev-supergraph/main.ts"],
    BANNER,
    env,
  );
  const { banner } = started;
  return {
    ...started,
    gateway: banner[1]!,
    upstream: banner[2]!,
    tokens: { read: banner[3]!, manage: banner[4]!, both: banner[5]! },
    printed: banner[6]!,
  };
}

describe("npm run supergraph", () => {
  let running: Running;
  let gateway: string;
  let upstream: string;
  let tokens: Running["tokens"];
  beforeAll(async () => {
    running = await startSupergraph();
    ({ gateway, upstream, tokens } = running);
  }, 60_000);
  afterAll(() => running?.cleanUp());

  const ask = async (query: string, token: string | null) => {
    const response = await fetch(gateway, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
  };
  const upstreamCalls = async () =>
    ((await (await fetch(`${upstream}/__dev/stats`)).json()) as DevUpstreamStats).recent;

  it("answers the query it prints: a client id no client has is null in its place, with NOT_FOUND", async () => {
    const { data, errors } = await ask(JSON.parse(running.printed).query, tokens.read);
    expect(data.applications[1].clients.map((client: { id: string } | null) => client?.id ?? null)).toEqual([
      "00000000-0000-4000-8000-000000000001",
      "00000000-0000-4000-8000-000000000002",
      "00000000-0000-4000-8000-000000000003",
      null,
    ]);
    expect(errors).toHaveLength(1);
    expect(errors![0].extensions).toMatchObject({
      code: "NOT_FOUND",
      clientId: "00000000-0000-4000-8000-000000000099",
    });
    expect(errors![0].path.slice(0, 3)).toEqual(["applications", 1, "clients"]);
  });

  it("serves GraphiQL from installed packages: it runs its query in Chromium with no network but loopback", async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const offsite: string[] = [];
      // The network is off: anything but loopback, blob: and data: is refused and recorded.
      await tab.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (["127.0.0.1", "localhost"].includes(url.hostname)) return route.continue();
        offsite.push(url.href);
        return route.abort();
      });
      await tab.goto(gateway);
      await runGraphiQLQuery(tab, '"name": "My OAuth App"');
      expect(offsite).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("answers loopback Host names only, and lets no cache keep its GraphiQL page", async () => {
    const page = (host: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const url = new URL(gateway);
        const request = httpRequest(
          { host: url.hostname, port: url.port, path: url.pathname, headers: { host, accept: "text/html" } },
          (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body }));
          },
        );
        request.on("error", reject);
        request.end();
      });
    const local = await page(new URL(gateway).host);
    expect(local.status).toBe(200);
    expect(local.headers["cache-control"]).toBe("no-store");
    expect(local.body).toContain(tokens.read);
    const rebound = await page("rebound.example");
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(tokens.read);
    expect(JSON.parse(rebound.body).errors[0].extensions.code).toBe("HOST_NOT_ALLOWED");
  });

  it("serves clients across both subgraphs to a read token", async () => {
    const { data, errors } = await ask("{ applications { name clients { id name } } }", tokens.read);
    // The one error expected: the second application lists a client id the upstream does not know.
    for (const error of errors ?? []) expect(error.path.slice(0, 3)).toEqual(["applications", 1, "clients"]);
    expect(data.applications[0]).toEqual({
      name: "My App",
      clients: [
        { id: "550e8400-e29b-41d4-a716-446655440000", name: "My OAuth App" },
        { id: "00000000-0000-4000-8000-000000000001", name: "Fixture client 01" },
      ],
    });
  });

  it("refuses the secret to a read token at the gateway: this service is not asked for it", async () => {
    const before = (await upstreamCalls()).length;
    const { errors } = await ask("{ applications { clients { id clientSecret } } }", tokens.read);
    expect(errors?.[0]?.extensions?.code).toBe("UNAUTHORIZED_FIELD_OR_TYPE");
    expect((await upstreamCalls()).slice(before).filter((call) => call.includeSecret)).toEqual([]);
  });

  it("rotates a secret through the gateway for a manage token", async () => {
    const { data, errors } = await ask(
      `mutation { regenerateClientSecret(input: { clientId: "550e8400-e29b-41d4-a716-446655440000" }) { client { clientSecret } } }`,
      tokens.both,
    );
    expect(errors).toBeUndefined();
    expect(data.regenerateClientSecret.client.clientSecret).toMatch(/^sk_live_/);
  });

  it("refuses a caller without a token at the gateway", async () => {
    const { status } = await ask("{ applications { clients { id } } }", null);
    expect(status).toBe(401);
  });

  it("runs the typed client example: the README's operation by its hash, typed by the client preset", async () => {
    const { oauthClient } = await runTrusted(gateway, tokens.read, ExampleClientDocument, { id: EXAMPLE_CLIENT_ID });
    expect(oauthClient?.name).toBe("My OAuth App");
  });

  it("stops on SIGTERM, every part of it", async () => {
    process.kill(running.child.pid!, "SIGTERM");
    expect(await running.exited).toBe(0);
    await expect(fetch(gateway)).rejects.toThrow();
  });
});

describe("npm run supergraph with TRUSTED_DOCUMENTS_ONLY=true", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startSupergraph({ TRUSTED_DOCUMENTS_ONLY: "true" });
  }, 60_000);
  afterAll(() => running?.cleanUp());

  it("answers a trusted document by its hash", async () => {
    const { oauthClient } = await runTrusted(running.gateway, running.tokens.read, ExampleClientDocument, {
      id: EXAMPLE_CLIENT_ID,
    });
    expect(oauthClient?.name).toBe("My OAuth App");
  });

  it("answers a trusted document by its bare sha256, as APQ-style clients send it", async () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../examples/gql/persisted-documents.json", import.meta.url), "utf8"),
    );
    const id = Object.keys(manifest).find((key) => manifest[key].startsWith("query ExampleClient"))!;
    const response = await fetch(running.gateway, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${running.tokens.read}` },
      body: JSON.stringify({
        variables: { id: EXAMPLE_CLIENT_ID },
        extensions: { persistedQuery: { version: 1, sha256Hash: id.replace(/^sha256:/, "") } },
      }),
    });
    const answer = (await response.json()) as { data?: { oauthClient: { name: string } } };
    expect(answer.data?.oauthClient.name).toBe("My OAuth App");
  });

  it("finds no document under an object's inherited names", async () => {
    for (const id of ["__proto__", "constructor", "toString"]) {
      const response = await fetch(running.gateway, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${running.tokens.read}` },
        body: JSON.stringify({ documentId: id }),
      });
      const answer = (await response.json()) as { errors?: { extensions: { code: string } }[] };
      expect(answer.errors?.[0]?.extensions.code, id).toBe("PERSISTED_QUERY_NOT_FOUND");
    }
  });

  it("refuses any other operation before a subgraph is asked", async () => {
    const calls = async () =>
      ((await (await fetch(`${running.upstream}/__dev/stats`)).json()) as DevUpstreamStats).recent.length;
    const before = await calls();
    const response = await fetch(running.gateway, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${running.tokens.read}` },
      body: JSON.stringify({ query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }` }),
    });
    const answer = (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions: { code: string } }[];
    };
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions.code).toBe("TRUSTED_DOCUMENT_REQUIRED");
    expect(answer.errors?.[0]?.message).toMatch(
      /trusted documents only \(TRUSTED_DOCUMENTS_ONLY=true\): send a document's hash/,
    );
    expect(await calls()).toBe(before);
  });
});
