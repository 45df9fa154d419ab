import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { upstreamEnvironment } from "../src/config.js";
import { DevIssuer } from "../src/dev-upstream/issuer.js";
import { type BenchOptions, parseBenchArgs, USAGE } from "./options.js";
import {
  cpuTimeMs,
  getJson,
  peakRssMb,
  type Running,
  startFacadeProcess,
  startLeanFacadeProcess,
  startUpstreamProcess,
} from "./processes.js";
import {
  type BenchReport,
  callsPerRequest,
  cpuOverLeanOf,
  ratiosOf,
  type ScenarioResult,
  toMarkdown,
  writeReport,
} from "./report.js";
import { type Scenario, scenarios } from "./scenarios.js";

/**
 * `npm run bench`: the development upstream and the facade as separate processes on
 * loopback, driven by autocannon, side by side in one run:
 *   A  GetClient straight to the upstream (Connect JSON)
 *   B  the same client through the facade (oauthClient, every field but the secret)
 *   C  a fan-out: 50 aliased oauthClient lookups over 10 distinct ids
 *   D  a federation _entities fetch of 100 representations (10 distinct ids)
 * and B again with each further worker count.
 */

const root = new URL("..", import.meta.url).pathname;
const CALL_COUNT_REQUESTS = 20;
async function upstreamGetClientCalls(upstream: Running): Promise<number> {
  const stats = (await getJson(upstream, "/__dev/stats")) as { calls: Record<string, number> };
  return stats.calls.GetClient ?? 0;
}

/** The count once the upstream has been quiet for a while: the load's last calls have landed. */
async function settledGetClientCalls(upstream: Running): Promise<number> {
  let last = await upstreamGetClientCalls(upstream);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await upstreamGetClientCalls(upstream);
    if (now === last) return now;
    last = now;
  }
}

/** Latency at a moderate load: one request at a time, timed from this side. Milliseconds. */
async function sequentialLatency(url: string, request: RequestInit, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await (await fetch(url, request)).arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 100) / 100;
  return { p50: at(0.5), p99: at(0.99) };
}

const perRequest = (ms: number, requests: number) => (requests === 0 ? 0 : Math.round((ms / requests) * 1000) / 1000);

async function measure(
  scenario: Scenario,
  target: Running,
  upstream: Running,
  options: BenchOptions,
  workers: number,
  serverPid: number | undefined,
): Promise<ScenarioResult> {
  const url = `${target.url}${scenario.path}`;
  const request = { method: "POST" as const, headers: scenario.headers, body: JSON.stringify(scenario.body) };
  scenario.check(await (await fetch(url, request)).json());
  if (options.warmup > 0)
    await autocannon({ url, ...request, connections: options.connections, duration: options.warmup });

  const cpuBefore = { server: serverPid ? cpuTimeMs(serverPid) : 0, upstream: cpuTimeMs(upstream.child.pid!) };
  const result = await autocannon({ url, ...request, connections: options.connections, duration: options.duration });
  const cpuAfter = { server: serverPid ? cpuTimeMs(serverPid) : 0, upstream: cpuTimeMs(upstream.child.pid!) };
  // Counted apart from the load, one request at a time: a run that stops mid-request
  // leaves upstream calls whose answers it never counted.
  const before = await settledGetClientCalls(upstream);
  for (let i = 0; i < CALL_COUNT_REQUESTS; i++) scenario.check(await (await fetch(url, request)).json());
  const after = await upstreamGetClientCalls(upstream);
  const answered = result["2xx"];
  const moderate = await sequentialLatency(url, request, options.latencySamples);
  return {
    id: scenario.id,
    title: scenario.title,
    workers,
    requests: answered,
    throughput: Math.round(answered / options.duration),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    upstreamCallsPerRequest: callsPerRequest(before, after, CALL_COUNT_REQUESTS),
    facadePeakRssMb: serverPid === undefined ? null : peakRssMb(serverPid),
    serverCpuMsPerRequest: perRequest(cpuAfter.server - cpuBefore.server, answered),
    upstreamCpuMsPerRequest: perRequest(cpuAfter.upstream - cpuBefore.upstream, answered),
    moderateP50: moderate.p50,
    moderateP99: moderate.p99,
  };
}

/** Runs the production bundle under dist/, as `npm run build` made it. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchReport> {
  const keyDir = mkdtempSync(join(tmpdir(), "ocg-bench-"));
  const keyFile = join(keyDir, "issuer-keys.json");
  const token = await (await DevIssuer.create({ keyFile })).mint({ scopes: ["oauth:clients:read"] });
  const all = scenarios(token);
  const running: Running[] = [];
  try {
    const upstream = await startUpstreamProcess(keyFile, options.upstreamHttp === "2");
    running.push(upstream);
    // jose fetches the JWKS over HTTP/1.1: with an h2c upstream, a twin on HTTP/1.1 (same
    // keys) serves it, and answers A, which autocannon cannot send over h2c.
    const http1Upstream = options.upstreamHttp === "2" ? await startUpstreamProcess(keyFile, false) : upstream;
    if (http1Upstream !== upstream) running.push(http1Upstream);
    const facadeEnv = (workers: number) => ({
      ...upstreamEnvironment({ ...upstream.settings, jwksUrl: http1Upstream.settings.jwksUrl }),
      WORKERS: String(workers),
      UPSTREAM_WIRE_FORMAT: options.wireFormat,
      UPSTREAM_HTTP_VERSION: options.upstreamHttp,
      AUTH_TOKEN_CACHE_SIZE: String(options.tokenCache),
    });

    const facade = await startFacadeProcess(facadeEnv(1), options.nodeOptions);
    running.push(facade);
    log(`facade ready in ${facade.startToReadyMs} ms`);
    const results: ScenarioResult[] = [];
    const run = async (scenario: Scenario, target: Running, workers: number, pid: number | undefined) => {
      log(`${scenario.id} (${workers} worker${workers === 1 ? "" : "s"}): ${scenario.title}…`);
      const counted = target === http1Upstream ? http1Upstream : upstream;
      results.push(await measure(scenario, target, counted, options, workers, pid));
    };

    await run(all.A, http1Upstream, 1, undefined);
    for (const scenario of [all.B, all.C, all.D]) await run(scenario, facade, 1, facade.child.pid);
    await facade.stop();

    // F: the lean facade on the same queries, against the same upstream.
    const lean = await startLeanFacadeProcess(http1Upstream.settings);
    running.push(lean);
    for (const scenario of [all.B, all.C, all.D]) {
      await run(
        { ...scenario, id: `F${scenario.id}`, title: `lean facade: ${scenario.title}` },
        lean,
        1,
        lean.child.pid,
      );
    }
    await lean.stop();

    for (const workers of options.workers.filter((w) => w !== 1)) {
      const cluster = await startFacadeProcess(facadeEnv(workers), options.nodeOptions);
      running.push(cluster);
      await run(all.B, cluster, workers, cluster.child.pid);
      await cluster.stop();
    }

    const direct = results.find((r) => r.id === "A")!;
    const viaFacade = results.find((r) => r.id === "B" && r.workers === 1)!;
    return {
      date: new Date().toISOString(),
      machine: {
        cores: availableParallelism(),
        node: process.version,
        platform: `${process.platform}/${process.arch}`,
      },
      options,
      startToReadyMs: facade.startToReadyMs,
      scenarios: results,
      ratios: ratiosOf(direct, viaFacade),
      cpuOverLean: cpuOverLeanOf(results),
    };
  } finally {
    for (const process of running.reverse()) await process.stop();
    rmSync(keyDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  const report = await runBench(options, (line) => process.stderr.write(`${line}\n`));
  const { json, markdown } = writeReport(report, options.outDir);
  process.stdout.write(`${toMarkdown(report)}\nwritten: ${json}, ${markdown}\n`);
}
