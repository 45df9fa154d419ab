import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { ExampleClientDocument } from "./gen/operations.js";
import { READ, type Stack, startStack } from "./support/stack.js";

describe("health and readiness", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it("answers /health while the process is alive", async () => {
    expect((await fetch(`${stack.facade.url}/health`)).status).toBe(200);
  });

  it("answers /readiness with 200 once the issuer's keys are at hand, without calling the upstream's procedures", async () => {
    await stack.resetUpstreamStats();
    for (let probe = 0; probe < 5; probe++) {
      const response = await fetch(`${stack.facade.url}/readiness`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ready: true });
    }
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("stays ready through an upstream outage, answers callers UPSTREAM_UNAVAILABLE, and says so once", async () => {
    const logLines: string[] = [];
    const orphan = await startStack({ LOG_LEVEL: "info" }, { logLines });
    try {
      const read = `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }`;
      expect((await orphan.graphql(read)).body.data).toEqual({ oauthClient: { id: EXAMPLE_CLIENT_ID } });
      expect(await (await fetch(`${orphan.facade.url}/readiness`)).json()).toEqual({ ready: true, upstream: "up" });
      await orphan.stopUpstream();
      for (let attempt = 0; attempt < 3; attempt++) {
        const { body } = await orphan.graphql(read);
        expect(body.errors?.[0]?.extensions?.code).toBe("UPSTREAM_UNAVAILABLE");
        const readiness = await fetch(`${orphan.facade.url}/readiness`);
        expect(readiness.status).toBe(200);
        expect(await readiness.json()).toEqual({ ready: true, upstream: "down" });
      }
      const metrics = await (await fetch(`${orphan.facade.url}/metrics`)).text();
      expect(metrics).toMatch(/^upstream_up 0$/m);
      const said = logLines.map((line) => JSON.parse(line)).filter((line) => /upstream unreachable/.test(line.msg));
      expect(said).toHaveLength(1);
      expect(said[0].level).toBe(40);
      expect(logLines.filter((line) => line.includes('"stack"'))).toEqual([]);
    } finally {
      await orphan.close();
    }
  });

  it("answers /readiness with 503 while the issuer's keys cannot be fetched, logged once", async () => {
    const logLines: string[] = [];
    const orphan = await startStack({ LOG_LEVEL: "info" }, { logLines });
    await orphan.stopUpstream();
    try {
      for (let probe = 0; probe < 3; probe++) {
        const response = await fetch(`${orphan.facade.url}/readiness`);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ ready: false, reason: "keys_unavailable", upstream: "unknown" });
      }
      const said = logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === "not ready");
      expect(said).toEqual([expect.objectContaining({ level: 40, reason: "keys_unavailable" })]);
      expect(logLines.filter((line) => line.includes('"stack"'))).toEqual([]);
    } finally {
      await orphan.close();
    }
  });
});

describe("Prometheus metrics", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const scrape = async () => (await fetch(`${stack.facade.url}/metrics`)).text();
  const value = (text: string, series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it("counts operations by name and outcome, upstream calls by procedure and code, and batch sizes", async () => {
    await stack.graphql(ExampleClientDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    await stack.graphql(ExampleClientDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    await stack.graphql(`query Unknown { oauthClient(id: "550e8400-e29b-41d4-a716-000000000000") { id } }`);
    await stack.graphql(`query SecretReadOnly { oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id clientSecret } }`, {
      token: await stack.mint([READ]),
    });
    await stack.graphql(
      `mutation Denied { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`,
      {
        token: await stack.mint([READ]),
      },
    );
    await stack.graphql(`query FanOut { a: oauthClient(id: "00000000-0000-4000-8000-000000000001") { id }
      b: oauthClient(id: "00000000-0000-4000-8000-000000000002") { id } c: oauthClient(id: "00000000-0000-4000-8000-000000000003") { id } }`);

    const text = await scrape();
    expect(value(text, 'graphql_operations_total{operation="ExampleClient",type="query",outcome="success"}')).toBe(2);
    expect(value(text, 'graphql_operations_total{operation="Unknown",type="query",outcome="success"}')).toBe(1);
    expect(value(text, 'graphql_operations_total{operation="SecretReadOnly",type="query",outcome="partial"}')).toBe(1);
    expect(value(text, 'graphql_operations_total{operation="Denied",type="mutation",outcome="error"}')).toBe(1);
    expect(
      value(text, 'graphql_operation_duration_seconds_count{operation="ExampleClient",type="query",outcome="success"}'),
    ).toBe(2);
    expect(value(text, 'upstream_calls_total{procedure="GetClient",code="ok"}')).toBe(6);
    expect(value(text, 'upstream_calls_total{procedure="GetClient",code="not_found"}')).toBe(1);
    expect(value(text, 'upstream_call_duration_seconds_count{procedure="GetClient",code="ok"}')).toBe(6);
    expect(value(text, "dataloader_batch_size_count")).toBe(5);
    expect(value(text, "dataloader_batch_size_sum")).toBe(7);
    expect(value(text, 'dataloader_batch_size_bucket{le="2"}')).toBe(4);
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("labels operations with odd or too many names without growing without bound, trusted documents' names kept", async () => {
    await stack.graphql(`query { oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }`);
    // An authenticated caller floods the label set with 250 names (25 batches of 10)...
    for (let round = 0; round < 25; round += 1) {
      const operations = Array.from({ length: 10 }, (_, i) => ({
        query: `query Flood${round * 10 + i} { __typename }`,
      }));
      expect((await stack.batch(operations)).status).toBe(200);
    }
    // ...and a trusted document's name, first seen afterwards, still has its own label.
    await stack.graphql(`query RegenerateSecret { __typename }`);
    await stack.graphql(`query Late { __typename }`);
    await stack.graphql(`query Anonymous { __typename }`, { token: null });
    const text = await scrape();
    expect(value(text, 'graphql_operations_total{operation="anonymous",type="query",outcome="success"}')).toBe(1);
    expect(value(text, 'graphql_operations_total{operation="RegenerateSecret",type="query",outcome="success"}')).toBe(
      1,
    );
    expect(value(text, 'graphql_operations_total{operation="Late",type="query",outcome="success"}')).toBeUndefined();
    expect(value(text, 'graphql_operations_total{operation="unauthenticated",type="query",outcome="success"}')).toBe(1);
    const floods = text.split("\n").filter((line) => line.startsWith('graphql_operations_total{operation="Flood'));
    // The earlier test's names count toward the bound too: callers' series take at most 128 kB
    // of the exposition, 17 lines of about 110 bytes each for these names, so about 70 of them.
    expect(floods.length).toBeGreaterThan(60);
    expect(floods.length).toBeLessThanOrEqual(72);
    expect(value(text, 'graphql_operations_total{operation="other",type="query",outcome="success"}')).toBeGreaterThan(
      50,
    );
  });
});

describe("logs", () => {
  it("never contain a client secret, a bearer token or a cookie, at any level, across reads, regenerations, refusals and faults", async () => {
    const lines: string[] = [];
    const stack = await startStack({ LOG_LEVEL: "trace" }, { logLines: lines });
    try {
      const secrets: string[] = [];
      const read = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`);
      secrets.push(read.body.data!.oauthClient.clientSecret);
      for (let i = 0; i < 2; i++) {
        const { body } = await stack.graphql(
          `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`,
        );
        secrets.push(body.data!.regenerateClientSecret.client.clientSecret);
      }
      const readOnly = await stack.mint([READ]);
      await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`, { token: readOnly });
      await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }`, { token: "not.a.token" });
      await stack.failUpstream("permission_denied", 1);
      await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`);
      await stack.faultUpstream("malformed", 1);
      await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`);
      await fetch(stack.facade.graphqlUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${stack.token}`,
          cookie: "session=cookie-value-that-must-not-be-logged",
        },
        body: '{"query": "{ broken',
      });

      expect(new Set(secrets).size).toBe(3);
      expect(lines.length).toBeGreaterThan(10);
      expect(lines.some((line) => line.includes('"statusCode":200'))).toBe(true);
      const log = lines.join("\n");
      for (const secret of secrets) expect(log).not.toContain(secret);
      for (const token of [stack.token, readOnly, "not.a.token"]) expect(log).not.toContain(token);
      expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // nothing that looks like a JWT
      expect(log).not.toMatch(/sk_live_/);
      expect(log).not.toContain("cookie-value-that-must-not-be-logged");
      // Debug and trace lines were written too: every level was read.
      expect(lines.some((line) => JSON.parse(line).level <= 20)).toBe(true);
      // Refusals are answers, not faults: nothing above warn for them.
      expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});
