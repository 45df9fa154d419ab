import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPE_READ } from "../src/auth/scopes.js";
import { upstreamEnvironment } from "../src/config/upstream-settings.js";
import { SEED_CLIENTS } from "../src/dev-upstream/seed.js";
import { type DevUpstream, startDevUpstream } from "../src/dev-upstream/server.js";
import { runBundle } from "./support/bundle-process.js";

/**
 * The real upstream is reached over HTTPS: the production bundle against the development
 * upstream behind a TLS-terminating proxy (as an ingress would put it), with a certificate the
 * process trusts only through NODE_EXTRA_CA_CERTS. Certificates are verified: without that
 * trust, no answer is read.
 */

const CERTIFICATE = new URL("./fixtures/tls/upstream.crt", import.meta.url).pathname;
const KEY = new URL("./fixtures/tls/upstream.key", import.meta.url).pathname;

let upstream: DevUpstream;
let proxy: https.Server;
let proxyUrl: string;
let proxied = 0;

beforeAll(async () => {
  upstream = await startDevUpstream();
  const target = new URL(upstream.url);
  proxy = https.createServer({ cert: readFileSync(CERTIFICATE), key: readFileSync(KEY) }, (request, response) => {
    proxied += 1;
    const forward = http.request(
      { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on("error", () => response.destroy());
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await upstream?.close();
});

async function readThroughBundle(extraEnv: Record<string, string>) {
  const run = runBundle({
    PORT: "0",
    LOG_LEVEL: "info",
    SHUTDOWN_DELAY_MS: "0",
    UPSTREAM_RETRIES: "0",
    ...upstreamEnvironment({ ...upstream, url: proxyUrl }),
    ...extraEnv,
  });
  try {
    const url = await run.listening;
    const token = await upstream.tokens.mint({ scopes: [SCOPE_READ] });
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ oauthClient(id: "${SEED_CLIENTS[0]!.clientId}") { name } }` }),
    });
    return (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
  } finally {
    run.child.kill("SIGTERM");
    await run.exited;
  }
}

describe("the upstream over HTTPS", () => {
  it("reads OAuth clients through TLS from a certificate the process trusts", async () => {
    const before = proxied;
    const body = await readThroughBundle({ NODE_EXTRA_CA_CERTS: CERTIFICATE });
    expect(body).toEqual({ data: { oauthClient: { name: SEED_CLIENTS[0]!.name } } });
    expect(proxied).toBeGreaterThan(before);
  });

  it("reads nothing from an upstream whose certificate it does not trust", async () => {
    const before = proxied;
    const body = await readThroughBundle({});
    expect(body.data?.oauthClient ?? null).toBeNull();
    expect(body.errors!.map((error) => error.extensions?.code)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    // The TLS handshake failed: no request reached the upstream behind the proxy.
    expect(proxied).toBe(before);
  });
});
