import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/config.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { launchChromium } from "./support/browser.js";
import { type Stack, startStack } from "./support/stack.js";

/** A request with a Host header of our choosing (fetch does not let one set Host). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const req = httpRequest(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

/** A page served from its own loopback origin, whose script reads the facade cross-origin. */
async function startCallerSite(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>caller</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const accessControlHeaders = (headers: Headers | Record<string, unknown>) =>
  (headers instanceof Headers ? [...headers.keys()] : Object.keys(headers)).filter((name) =>
    name.startsWith("access-control-"),
  );

describe("CORS is an allow-list", () => {
  const listed = "https://app.example.test";
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: `${listed}, https://admin.example.test` });
  });
  afterAll(() => stack.close());

  const preflight = (origin: string) =>
    fetch(stack.facade.graphqlUrl, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it("gives a listed origin exactly its origin, the API's methods and headers, no credentials, and vary: Origin", async () => {
    const response = await preflight(listed);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(listed);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toMatch(/Origin/);
  });

  it("gives any other origin no access-control header at all: preflight, API, GraphiQL and /metrics", async () => {
    const stranger = "https://evil.example.test";
    expect(accessControlHeaders((await preflight(stranger)).headers)).toEqual([]);
    const api = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { origin: stranger, "content-type": "application/json", authorization: `Bearer ${stack.token}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(accessControlHeaders(api.headers)).toEqual([]);
    expect(api.headers.get("vary")).toMatch(/Origin/);
    const graphiql = await fetch(stack.facade.graphqlUrl, { headers: { origin: stranger, accept: "text/html" } });
    expect(accessControlHeaders(graphiql.headers)).toEqual([]);
    const metrics = await fetch(`${stack.facade.url}/metrics`, { headers: { origin: stranger } });
    expect(accessControlHeaders(metrics.headers)).toEqual([]);
  });

  it("refuses a bad CORS_ORIGINS at start, naming it", () => {
    for (const value of ["https://app.example.test/", "app.example.test", "https://a.test/path"]) {
      expect(() => loadConfig({ CORS_ORIGINS: value }, "development")).toThrow(ConfigError);
      try {
        loadConfig({ CORS_ORIGINS: value }, "development");
      } catch (error) {
        expect((error as ConfigError).problems.join()).toContain("CORS_ORIGINS");
      }
    }
  });

  it("defaults to loopback origins in development and to none in production", () => {
    expect(loadConfig({}, "development").http.cors).toEqual({ origins: [], loopback: true });
    const production = {
      UPSTREAM_URL: "https://u.test",
      AUTH_JWKS_URL: "https://u.test/j",
      AUTH_ISSUER: "i",
      AUTH_AUDIENCE: "a",
    };
    expect(loadConfig(production, "production").http.cors).toEqual({ origins: [], loopback: false });
  });
});

describe("a cross-origin read from a real browser (headless Chromium)", () => {
  let listedSite: Awaited<ReturnType<typeof startCallerSite>>;
  let otherSite: Awaited<ReturnType<typeof startCallerSite>>;
  let stack: Stack;
  beforeAll(async () => {
    listedSite = await startCallerSite();
    otherSite = await startCallerSite();
    stack = await startStack({ CORS_ORIGINS: listedSite.origin });
  });
  afterAll(async () => {
    await stack.close();
    listedSite.server.close();
    otherSite.server.close();
  });

  it("succeeds from the listed origin and is blocked from another loopback origin", async () => {
    const browser = await launchChromium();
    try {
      const readFrom = async (origin: string) => {
        const tab = await browser.newPage();
        await tab.goto(origin);
        return tab.evaluate(
          async ({ url, token, id }) => {
            try {
              const response = await fetch(url, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
                body: JSON.stringify({ query: `{ oauthClient(id: "${id}") { name } }` }),
              });
              return JSON.stringify(await response.json());
            } catch (error) {
              return `blocked: ${(error as Error).message}`;
            }
          },
          { url: stack.facade.graphqlUrl, token: stack.token, id: EXAMPLE_CLIENT_ID },
        );
      };
      expect(await readFrom(listedSite.origin)).toContain("My OAuth App");
      expect(await readFrom(otherSite.origin)).toMatch(/^blocked: /);
    } finally {
      await browser.close();
    }
  });
});

describe("the development token stays on the developer's machine", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ ALLOWED_HOSTS: "dev.example.test" });
  });
  afterAll(() => stack.close());
  const page = (host: string, headers: Record<string, string> = {}) =>
    rawGet(stack.facade.graphqlUrl, { host, accept: "text/html", ...headers });

  it("refuses a Host that is neither loopback nor listed in ALLOWED_HOSTS (DNS rebinding)", async () => {
    const rebound = await page("attacker.example.test");
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body.toString()).errors[0].extensions.code).toBe("HOST_NOT_ALLOWED");
    expect(rebound.body.toString()).not.toContain(stack.token);
    const api = await rawGet(`${stack.facade.url}/health`, { host: "attacker.example.test" });
    expect(api.status).toBe(403);
  });

  it("embeds the token only in a page asked for by a loopback name, never cached", async () => {
    for (const host of ["127.0.0.1", "localhost:4000"]) {
      const loopback = await page(host);
      expect(loopback.body.toString()).toContain(stack.token);
      expect(loopback.headers["cache-control"]).toBe("no-store");
    }
    const listed = await page("dev.example.test");
    expect(listed.status).toBe(200);
    expect(listed.body.toString()).toContain("YogaGraphiQL");
    expect(listed.body.toString()).not.toContain(stack.token);
  });

  it("serves GraphiQL with a Content-Security-Policy that forbids framing, and gzipped when asked", async () => {
    const { headers, body } = await page("127.0.0.1", { "accept-encoding": "gzip" });
    const policy = String(headers["content-security-policy"]);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(policy).not.toContain("'unsafe-eval'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["content-encoding"]).toBe("gzip");
    const html = gunzipSync(body).toString();
    expect(html).toContain("YogaGraphiQL");
    expect(body.length).toBeLessThan(html.length / 3);
  });
});

describe("GraphiQL without a token (production with INTROSPECTION=true)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ INTROSPECTION: "true" }, { mode: "production" });
  });
  afterAll(() => stack.close());

  it("is cacheable and revalidated by its ETag: a reload costs a 304", async () => {
    const first = await fetch(stack.facade.graphqlUrl, { headers: { accept: "text/html" } });
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    expect(await first.text()).not.toContain("Bearer");
    const again = await fetch(stack.facade.graphqlUrl, { headers: { accept: "text/html", "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers any Host: production sits behind a load balancer that checks it", async () => {
    const response = await rawGet(`${stack.facade.url}/health`, { host: "oauth-clients-graph.internal" });
    expect(response.status).toBe(200);
  });
});
