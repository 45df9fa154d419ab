import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { queryName, spawnService } from "./support/service-process.js";
import { startStack } from "./support/stack.js";

describe("graceful shutdown", () => {
  it("on SIGTERM finishes the request in flight, refuses new ones, and exits 0", async () => {
    const service = await spawnService("node", { LOG_LEVEL: "warn" });
    try {
      // Every upstream call now takes 1.5 s: the request below is in flight when SIGTERM lands.
      await fetch(`${service.upstreamUrl}/__dev/latency`, { method: "POST", body: JSON.stringify({ ms: 1500 }) });
      const slow = queryName(service);
      // SIGTERM once the upstream has the call: the request is then in flight for certain.
      await expect
        .poll(
          async () => ((await (await fetch(`${service.upstreamUrl}/__dev/stats`)).json()) as any).calls.GetClient ?? 0,
        )
        .toBeGreaterThan(0);
      service.child.kill("SIGTERM");

      expect(await slow).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
      expect(await service.exited).toBe(0);
      await expect(fetch(service.graphqlUrl)).rejects.toThrow();
    } finally {
      service.cleanUp();
    }
  });
});

describe("WORKERS=2", () => {
  it("serves from a cluster of two workers sharing one development upstream, and stops them all on SIGTERM", async () => {
    const service = await spawnService("node", { LOG_LEVEL: "warn", WORKERS: "2" });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => queryName(service)));
      for (const answer of answers) expect(answer).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
      // One store behind both workers: a secret regenerated through one is what the other reads.
      const regenerate = await fetch(service.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${service.token}` },
        body: JSON.stringify({
          query: `mutation { regenerateClientSecret(input: { clientId: "550e8400-e29b-41d4-a716-446655440000" }) { client { clientSecret } } }`,
        }),
      });
      const secret = ((await regenerate.json()) as any).data.regenerateClientSecret.client.clientSecret;
      const reads = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const response = await fetch(service.graphqlUrl, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${service.token}` },
            body: JSON.stringify({
              query: `{ oauthClient(id: "550e8400-e29b-41d4-a716-446655440000") { clientSecret } }`,
            }),
          });
          return ((await response.json()) as any).data.oauthClient.clientSecret;
        }),
      );
      expect(new Set(reads)).toEqual(new Set([secret]));

      service.child.kill("SIGTERM");
      expect(await service.exited).toBe(0);
      await expect(fetch(service.graphqlUrl)).rejects.toThrow();
    } finally {
      service.cleanUp();
    }
  });
});

describe("SHUTDOWN_DELAY_MS", () => {
  it("reports not ready while the listener still accepts, then closes", async () => {
    const stack = await startStack({ SHUTDOWN_DELAY_MS: "3000" });
    try {
      expect((await fetch(`${stack.facade.url}/readiness`)).status).toBe(200);
      const closing = stack.facade.close();
      const readiness = await fetch(`${stack.facade.url}/readiness`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({ ready: false, reason: "shutting_down" });
      // A load balancer that has not yet noticed still gets answers, not refused connections.
      const { body } = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }`);
      expect(body.data).toEqual({ oauthClient: { name: "My OAuth App" } });
      await closing;
      await expect(fetch(`${stack.facade.url}/health`)).rejects.toThrow();
    } finally {
      await stack.close();
    }
  });

  it("defaults to 5 s in production, long enough for endpoint removal to reach the load balancers, and 0 in development", () => {
    const production = {
      UPSTREAM_URL: "https://u.test",
      AUTH_JWKS_URL: "https://u.test/j",
      AUTH_ISSUER: "i",
      AUTH_AUDIENCE: "a",
    };
    expect(loadConfig(production, "production").shutdownDelayMs).toBe(5_000);
    expect(loadConfig({}, "development").shutdownDelayMs).toBe(0);
  });
});

describe("HTTP timeouts", () => {
  it("are set deliberately on the server: headers 10 s, whole request 30 s, idle keep-alive 65 s", async () => {
    const stack = await startStack();
    try {
      expect(stack.facade.server.headersTimeout).toBe(10_000);
      expect(stack.facade.server.requestTimeout).toBe(30_000);
      expect(stack.facade.server.keepAliveTimeout).toBe(65_000);
    } finally {
      await stack.close();
    }
  });
});
