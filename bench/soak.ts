import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../src/dev-upstream/seed.js";
import { READ, startStack } from "../test/support/stack.js";

/**
 * Soak: concurrent callers against the facade for a fixed time while the development
 * upstream is made to fail in every way it knows. Every request must be answered.
 *
 *   npm run soak -- [--duration S] [--concurrency N]
 */

export interface SoakReport {
  durationMs: number;
  concurrency: number;
  sent: number;
  answered: number;
  unanswered: number;
  /** Answers by their first error's extensions.code, or "ok". */
  outcomes: Record<string, number>;
  faultsInjected: number;
  rssStartMb: number;
  rssEndMb: number;
  heapStartMb: number;
  heapEndMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function runSoak(options: { durationMs: number; concurrency: number }): Promise<SoakReport> {
  const stack = await startStack({ LIMIT_REQUEST_TIMEOUT_MS: "1000", UPSTREAM_RETRIES: "1" });
  const readOnly = await stack.mint([READ]);
  const operations: { query: string; token?: string }[] = [
    { query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name createdAt } }` },
    { query: `{ oauthClient(id: "${fixtureClientId(3)}") { id clientSecret } }` },
    {
      query: `{ ${Array.from({ length: 20 }, (_, i) => `c${i}: oauthClient(id: "${fixtureClientId((i % 5) + 1)}") { id }`).join(" ")} }`,
    },
    { query: `{ oauthClient(id: "not-a-uuid") { id } }` },
    { query: `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`, token: readOnly },
    {
      query: `mutation { regenerateClientSecret(input: { clientId: "${fixtureClientId(7)}" }) { client { clientSecret } } }`,
    },
  ];

  global.gc?.();
  const start = process.memoryUsage();
  const report: SoakReport = {
    durationMs: options.durationMs,
    concurrency: options.concurrency,
    sent: 0,
    answered: 0,
    unanswered: 0,
    outcomes: {},
    faultsInjected: 0,
    rssStartMb: mb(start.rss),
    rssEndMb: 0,
    heapStartMb: mb(start.heapUsed),
    heapEndMb: 0,
  };
  const until = Date.now() + options.durationMs;

  const caller = async () => {
    while (Date.now() < until) {
      const operation = operations[Math.floor(Math.random() * operations.length)]!;
      report.sent += 1;
      try {
        const response = await fetch(stack.facade.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${operation.token ?? stack.token}` },
          body: JSON.stringify({ query: operation.query }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        const outcome = body.errors?.[0]?.extensions?.code ?? (body.errors ? "NO_CODE" : "ok");
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
        report.answered += 1;
      } catch {
        report.unanswered += 1;
      }
    }
  };

  const injector = async () => {
    const faults: (() => Promise<unknown>)[] = [
      () => stack.failUpstream("unavailable", 3),
      () => stack.failUpstream("internal", 2),
      () => stack.failUpstream("resource_exhausted", 2, { retryAfterMs: 1000 }),
      () => stack.failUpstream("permission_denied", 2),
      () => stack.faultUpstream("reset", 2),
      () => stack.faultUpstream("malformed", 2),
      () => stack.faultUpstream("html502", 2),
      () => stack.faultUpstream("huge", 1),
      async () => {
        await stack.setUpstreamLatency(1_500);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await stack.setUpstreamLatency(0);
      },
      async () => {
        await stack.stopUpstream();
        await new Promise((resolve) => setTimeout(resolve, 200));
        await stack.startUpstreamAgain();
      },
    ];
    while (Date.now() < until) {
      await faults[Math.floor(Math.random() * faults.length)]!();
      report.faultsInjected += 1;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };

  try {
    await Promise.all([injector(), ...Array.from({ length: options.concurrency }, caller)]);
  } finally {
    await stack.close();
  }
  global.gc?.();
  const end = process.memoryUsage();
  report.rssEndMb = mb(end.rss);
  report.heapEndMb = mb(end.heapUsed);
  return report;
}

function print(report: SoakReport) {
  const lines = [
    `soak: ${report.durationMs / 1000}s, ${report.concurrency} concurrent callers, ${report.faultsInjected} faults injected`,
    `  requests sent:       ${report.sent}`,
    `  answered:            ${report.answered}`,
    `  unanswered:          ${report.unanswered}${report.unanswered === 0 ? "" : "  <-- must be 0"}`,
    "  answers by code:",
    ...Object.entries(report.outcomes)
      .sort(([, a], [, b]) => b - a)
      .map(([code, count]) => `    ${code.padEnd(24)} ${count}`),
    `  memory (RSS):        ${report.rssStartMb} MB at start, ${report.rssEndMb} MB at end`,
    `  memory (heap used):  ${report.heapStartMb} MB at start, ${report.heapEndMb} MB at end`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: { duration: { type: "string", default: "30" }, concurrency: { type: "string", default: "20" } },
  });
  const durationMs = Number(values.duration) * 1000;
  const concurrency = Number(values.concurrency);
  if (!(durationMs > 0) || !Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write("usage: npm run soak -- [--duration seconds] [--concurrency callers]\n");
    process.exit(2);
  }
  const report = await runSoak({ durationMs, concurrency });
  print(report);
  process.exit(report.unanswered === 0 ? 0 : 1);
}
