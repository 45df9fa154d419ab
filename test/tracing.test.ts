import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPE_MANAGE, SCOPE_READ } from "../src/auth/scopes.js";
import { upstreamEnvironment } from "../src/config/upstream-settings.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { type DevUpstream, type DevUpstreamStats, startDevUpstream } from "../src/dev-upstream/server.js";
import { runBundle } from "./support/bundle-process.js";
import { startReceiver } from "./support/otlp-receiver.js";

describe("OpenTelemetry traces (production bundle, real OTLP receiver, development upstream)", () => {
  let upstream: DevUpstream;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // The same operation three times: graphql-js runs its first use, graphql-jit's compilation the later ones.
  const traceIds = [
    "4bf92f3577b34da6a3ce929d0e0e4736",
    "4bf92f3577b34da6a3ce929d0e0e4737",
    "4bf92f3577b34da6a3ce929d0e0e4738",
  ];
  const callerSpanId = "00f067aa0ba902b7";
  let token: string;
  const answers: unknown[] = [];
  let stats: DevUpstreamStats;

  beforeAll(async () => {
    upstream = await startDevUpstream();
    receiver = await startReceiver();
    token = await upstream.tokens.mint({ scopes: [SCOPE_READ, SCOPE_MANAGE] });
    const run = runBundle({
      PORT: "0",
      LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "ocg-under-test",
      SHUTDOWN_DELAY_MS: "0",
      ...upstreamEnvironment(upstream),
    });
    const url = await run.listening;
    for (const id of traceIds) {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          traceparent: `00-${id}-${callerSpanId}-01`,
          "x-request-id": `request-${id}`,
        },
        body: JSON.stringify({
          query: "query Traced($id: ID!) { oauthClient(id: $id) { name clientSecret } }",
          variables: { id: EXAMPLE_CLIENT_ID },
        }),
      });
      answers.push(await response.json());
    }
    stats = (await (await fetch(`${upstream.url}/__dev/stats`)).json()) as DevUpstreamStats;
    // On SIGTERM the service exports what it holds before it exits.
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
  afterAll(async () => {
    await upstream.close();
    receiver.server.close();
  });

  it("answers as usual", () => {
    for (const answer of answers) expect(answer).toMatchObject({ data: { oauthClient: { name: "My OAuth App" } } });
  });

  it.each(traceIds.map((id, use) => [use + 1, id]))(
    "use %i: exports an HTTP server span, a GraphQL operation span and an upstream client span nested in that order, in the caller's trace",
    (_use, traceId) => {
      const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
      const names = inTrace.map((span) => span.name);
      expect(names).toContain("POST /graphql");
      expect(names).toContain("query Traced");
      expect(names).toContain("xeonr.auth.api.v1.ClientsService/GetClient");
      const server = inTrace.find((span) => span.name === "POST /graphql")!;
      expect(server.parentSpanId).toBe(callerSpanId);
      const operation = inTrace.find((span) => span.name === "query Traced")!;
      expect(operation.parentSpanId).toBe(server.spanId);
      const requestId = server.attributes.find((attribute) => attribute.key === "http.request.header.x-request-id");
      expect(JSON.stringify(requestId?.value)).toContain(`request-${traceId}`);
      const call = inTrace.find((span) => span.name.endsWith("/GetClient"))!;
      expect(call.parentSpanId).toBe(operation.spanId);
      expect(call.attributes).toContainEqual({ key: "rpc.method", value: { stringValue: "GetClient" } });
    },
  );

  it("carries the trace across the hop: the upstream received a traceparent of the same trace", () => {
    const received = stats.recent.filter(
      (call) => call.procedure === "GetClient" && call.clientId === EXAMPLE_CLIENT_ID,
    );
    const sent = traceIds.map((traceId) => {
      const call = receiver.spans.find((span) => span.name.endsWith("/GetClient") && span.traceId === traceId)!;
      return `00-${traceId}-${call.spanId}-01`;
    });
    expect(received.map((call) => call.traceparent).slice(-traceIds.length)).toEqual(sent);
  });

  it("puts no token, secret or variable in any exported span", () => {
    const exported = receiver.bodies.join("\n");
    expect(exported).toContain("ocg-under-test");
    expect(exported).not.toContain(token);
    expect(exported).not.toContain("sk_live_");
    expect(exported).not.toContain(EXAMPLE_CLIENT_ID);
  });
});
