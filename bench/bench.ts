import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { upstreamEnvironment } from "../src/config/upstream-settings.js";
import { DevIssuer } from "../src/dev-upstream/issuer.js";
import { type BenchOptions, parseBenchArgs, USAGE } from "./options.js";
import {
  buildYardsticks,
  cpuTimeMs,
  getJson,
  peakRssMb,
  type Running,
  startFacadeProcess,
  startUpstreamProcess,
  startYardstickProcess,
} from "./processes.js";
import { timeRefusals } from "./refusals.js";
import {
  type BenchReport,
  callsPerRequest,
  quantile,
  ratiosOf,
  type ScenarioResult,
  toMarkdown,
  writeReport,
  type YardstickId,
  yardsticksOf,
} from "./report.js";
import { requestOf, type Scenario, scenarios } from "./scenarios.js";

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
  const at = (q: number) => Math.round(quantile(times, q) * 100) / 100;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Facade starts timed for the start-to-ready figure. */
const STARTS_MEASURED = 5;

const perRequest = (ms: number, requests: number) => (requests === 0 ? 0 : Math.round((ms / requests) * 1000) / 1000);

/** One server under one scenario's load; `pid` is the serving process, whose CPU is counted. */
interface Subject {
  scenario: Scenario;
  target: Running;
  workers: number;
  pid: number | undefined;
}

interface Window {
  answered: number;
  errors: number;
  serverCpuMs: number;
  upstreamCpuMs: number;
  latency: { p50: number; p90: number; p99: number };
}

/** The scenario's load on one subject for some seconds, as autocannon reports it. */
const drive = (subject: Subject, options: BenchOptions, seconds: number) =>
  autocannon({
    url: `${subject.target.url}${subject.scenario.path}`,
    ...requestOf(subject.scenario),
    connections: options.connections,
    duration: seconds,
  });

async function loadWindow(subject: Subject, upstream: Running, options: BenchOptions, seconds: number) {
  const cpu = () => ({
    server: subject.pid ? cpuTimeMs(subject.pid) : 0,
    upstream: cpuTimeMs(upstream.child.pid!),
  });
  const before = cpu();
  const result = await drive(subject, options, seconds);
  const after = cpu();
  return {
    answered: result["2xx"],
    errors: result.errors + result.timeouts + result.non2xx,
    serverCpuMs: after.server - before.server,
    upstreamCpuMs: after.upstream - before.upstream,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
  } satisfies Window;
}

/**
 * Measures the subjects side by side: each is checked, and warmed up right before its first
 * slice; their measured windows are cut into `options.slices` slices taken in turn, each turn
 * starting one subject later (facade, F, M; F, M, facade; …), so that the machine's drift
 * during a run (two shared cores) and the place in the turn weigh on each alike and their
 * CPU-per-request ratio is fair. Latency under load is the slices' percentiles, weighted by
 * their answers.
 */
async function measureSideBySide(
  subjects: Subject[],
  upstream: Running,
  options: BenchOptions,
): Promise<ScenarioResult[]> {
  for (const { scenario, target } of subjects)
    scenario.check(await (await fetch(`${target.url}${scenario.path}`, requestOf(scenario))).json());
  const windows = subjects.map((): Window[] => []);
  for (let slice = 0; slice < options.slices; slice++) {
    // Each slice starts the turn one subject later: whoever goes first read high (an A/A run
    // showed up to ~15 %), so every subject takes the first place as often as the others.
    for (let turn = 0; turn < subjects.length; turn++) {
      const i = (slice + turn) % subjects.length;
      const subject = subjects[i]!;
      // Warmed up just before its first slice, so that none waits idle longer than the others
      // between its warm-up and its measure (a server idle for seconds shrinks its heap).
      if (slice === 0 && options.warmup > 0) await drive(subject, options, options.warmup);
      windows[i]!.push(await loadWindow(subject, upstream, options, options.duration / options.slices));
    }
  }
  const results: ScenarioResult[] = [];
  for (const [i, { scenario, target, workers, pid }] of subjects.entries()) {
    const url = `${target.url}${scenario.path}`;
    const request = requestOf(scenario);
    // Counted apart from the load, one request at a time: a run that stops mid-request
    // leaves upstream calls whose answers it never counted.
    const before = await settledGetClientCalls(upstream);
    for (let n = 0; n < CALL_COUNT_REQUESTS; n++) scenario.check(await (await fetch(url, request)).json());
    const after = await upstreamGetClientCalls(upstream);
    const moderate = await sequentialLatency(url, request, options.latencySamples);
    const slices = windows[i]!;
    const sum = (pick: (w: Window) => number) => slices.reduce((total, w) => total + pick(w), 0);
    const answered = sum((w) => w.answered);
    const weighted = (pick: (w: Window) => number) =>
      answered === 0 ? 0 : Math.round(sum((w) => pick(w) * w.answered) / answered);
    results.push({
      id: scenario.id,
      title: scenario.title,
      workers,
      requests: answered,
      throughput: Math.round(answered / options.duration),
      p50: weighted((w) => w.latency.p50),
      p90: weighted((w) => w.latency.p90),
      p99: weighted((w) => w.latency.p99),
      errors: sum((w) => w.errors),
      upstreamCallsPerRequest: callsPerRequest(before, after, CALL_COUNT_REQUESTS),
      facadePeakRssMb: pid === undefined ? null : peakRssMb(pid),
      serverCpuMsPerRequest: perRequest(
        sum((w) => w.serverCpuMs),
        answered,
      ),
      upstreamCpuMsPerRequest: perRequest(
        sum((w) => w.upstreamCpuMs),
        answered,
      ),
      sliceCpuMsPerRequest: slices.map((w) => perRequest(w.serverCpuMs, w.answered)),
      moderateP50: moderate.p50,
      moderateP99: moderate.p99,
    });
  }
  return results;
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

    // One start is noisy (±150 ms here): the median of a few, the last one kept running.
    const startToReady = async (entry?: string) => {
      const times: number[] = [];
      for (;;) {
        const started = await startFacadeProcess(facadeEnv(1), options.nodeOptions, entry);
        times.push(started.startToReadyMs);
        if (times.length === STARTS_MEASURED) return { started, ms: quantile(times, 0.5) };
        await started.stop();
      }
    };
    const { started: facade, ms: facadeStartMs } = await startToReady();
    running.push(facade);
    log(`facade ready in ${facadeStartMs} ms (median of ${STARTS_MEASURED} starts)`);
    // F and M, the yardsticks: the same queries, against the same upstream, measured beside the facade.
    await buildYardsticks();
    const lean = await startYardstickProcess("lean", http1Upstream.settings);
    running.push(lean);
    const mercurius = await startYardstickProcess("mercurius", http1Upstream.settings);
    running.push(mercurius);
    const { started: baseline, ms: baselineStartMs } = options.baseline
      ? await startToReady(options.baseline)
      : { started: undefined, ms: undefined };
    if (baseline) running.push(baseline);
    const results: ScenarioResult[] = [];
    const run = async (...subjects: Subject[]) => {
      const names = subjects.map(
        ({ scenario, workers }) => `${scenario.id} (${workers} worker${workers === 1 ? "" : "s"})`,
      );
      log(`${names.join(" beside ")}…`);
      const counted = subjects[0]!.target === http1Upstream ? http1Upstream : upstream;
      results.push(...(await measureSideBySide(subjects, counted, options)));
    };

    await run({ scenario: all.A, target: http1Upstream, workers: 1, pid: undefined });
    // Each yardstick's figures on a scenario carry its prefix (FB, MB, WB), as the report reads them.
    const beside = (scenario: Scenario, prefix: YardstickId, name: string, target: Running): Subject => ({
      scenario: { ...scenario, id: `${prefix}${scenario.id}`, title: `${name}: ${scenario.title}` },
      target,
      workers: 1,
      pid: target.child.pid,
    });
    for (const scenario of options.scenarios.map((id) => all[id])) {
      await run(
        { scenario, target: facade, workers: 1, pid: facade.child.pid },
        beside(scenario, "F", "lean facade", lean),
        beside(scenario, "M", "Fastify + Mercurius", mercurius),
        ...(baseline ? [beside(scenario, "W", "baseline build", baseline)] : []),
      );
    }
    log("hostile documents, one at a time…");
    const refusals = await timeRefusals(
      `${facade.url}/graphql`,
      facade.child.pid!,
      token,
      Math.min(options.latencySamples, 20),
    );
    await facade.stop();
    await lean.stop();
    await mercurius.stop();
    await baseline?.stop();

    for (const workers of options.workers.filter((w) => w !== 1)) {
      const cluster = await startFacadeProcess(facadeEnv(workers), options.nodeOptions);
      running.push(cluster);
      await run({ scenario: all.B, target: cluster, workers, pid: cluster.child.pid });
      await cluster.stop();
    }

    const direct = results.find((r) => r.id === "A")!;
    const viaFacade = results.find((r) => r.id === "B" && r.workers === 1);
    return {
      date: new Date().toISOString(),
      machine: {
        cores: availableParallelism(),
        node: process.version,
        platform: `${process.platform}/${process.arch}`,
      },
      options,
      startToReadyMs: facadeStartMs,
      ...(baselineStartMs === undefined ? {} : { baselineStartToReadyMs: baselineStartMs }),
      scenarios: results,
      // B against A, when B ran (`--scenarios`).
      ...(viaFacade ? { ratios: ratiosOf(direct, viaFacade) } : {}),
      yardsticks: yardsticksOf(results),
      refusals,
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
