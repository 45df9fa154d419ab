import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchOptions } from "./options.js";
import type { RefusalTiming } from "./refusals.js";

/** The figures of one scenario. Latencies in milliseconds. */
export interface ScenarioResult {
  id: string;
  title: string;
  workers: number;
  requests: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  /** GetClient calls the upstream received per request answered. */
  upstreamCallsPerRequest: number;
  /** Peak resident memory of the facade's processes, in MB (null for the direct call). */
  facadePeakRssMb: number | null;
  /** CPU time (user + system) of the serving process(es) per answered request over the measured window, ms. */
  serverCpuMsPerRequest: number;
  /** The same for the upstream's process. */
  upstreamCpuMsPerRequest: number;
  /** The serving process's CPU per answered request in each measured slice, in turn: how much one run moved. */
  sliceCpuMsPerRequest: number[];
  /** Latency at a moderate load (one request at a time), in ms. */
  moderateP50: number;
  moderateP99: number;
}

export interface BenchReport {
  date: string;
  machine: { cores: number; node: string; platform: string };
  options: BenchOptions;
  /** Facade start to a 200 from /readiness, in ms: the median of a few starts. */
  startToReadyMs: number;
  /** The same for the baseline build, when one is measured. */
  baselineStartToReadyMs?: number;
  scenarios: ScenarioResult[];
  /** B against A: throughput under full load, added latency at a moderate load. */
  ratios?: { throughputBOverA: number; addedP50Ms: number; addedP99Ms: number };
  /** The facade's figures over each yardstick's on the same query (F: lean, M: Mercurius), on B, C and D. */
  yardsticks: Partial<Record<YardstickId, { cpu: Record<string, number>; rss: Record<string, number> }>>;
  /** Time to refuse hostile documents, one at a time. */
  refusals: RefusalTiming[];
}

/** The value below which a share `q` of `values` falls (0.5: the median). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** GetClient calls per request, from the upstream's counters before and after a run. */
export function callsPerRequest(before: number, after: number, requests: number): number {
  return requests === 0 ? 0 : Math.round(((after - before) / requests) * 100) / 100;
}

export function ratiosOf(direct: ScenarioResult, facade: ScenarioResult): BenchReport["ratios"] {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    throughputBOverA: round(facade.throughput / direct.throughput),
    addedP50Ms: round(facade.moderateP50 - direct.moderateP50),
    addedP99Ms: round(facade.moderateP99 - direct.moderateP99),
  };
}

/**
 * The yardsticks, by the prefix of their scenarios: F the lean facade, M Fastify + Mercurius,
 * and W, when `--baseline` names one, the facade as it was (another build of it).
 */
export type YardstickId = "F" | "M" | "W";
export const YARDSTICK_IDS: readonly YardstickId[] = ["F", "M", "W"];

/** Each facade scenario's figure over the yardstick's on the same query (FB or MB, …). */
export function overYardstick(
  results: ScenarioResult[],
  yardstick: YardstickId,
  figure: (result: ScenarioResult) => number | null,
): Record<string, number> {
  const ratios: Record<string, number> = {};
  for (const id of ["B", "C", "D"]) {
    const facade = results.find((r) => r.id === id && r.workers === 1);
    const other = results.find((r) => r.id === `${yardstick}${id}`);
    const [mine, theirs] = [facade && figure(facade), other && figure(other)];
    if (mine && theirs) ratios[id] = Math.round((mine / theirs) * 100) / 100;
  }
  return ratios;
}

export function yardsticksOf(results: ScenarioResult[]): BenchReport["yardsticks"] {
  const of = (yardstick: YardstickId) => ({
    cpu: overYardstick(results, yardstick, (r) => r.serverCpuMsPerRequest),
    rss: overYardstick(results, yardstick, (r) => r.facadePeakRssMb),
  });
  const measured = YARDSTICK_IDS.filter((id) => results.some((r) => r.id.startsWith(id)));
  return Object.fromEntries(measured.map((id) => [id, of(id)]));
}

const YARDSTICK_NAMES: Record<YardstickId, string> = {
  F: "the lean facade (F)",
  M: "Fastify + Mercurius (M)",
  W: "the baseline build (W)",
};

export function toMarkdown(report: BenchReport): string {
  const { machine, options, ratios } = report;
  const rows = report.scenarios.map(
    (s) =>
      `| ${s.id} | ${s.title} | ${s.workers} | ${s.throughput.toFixed(0)} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.moderateP50} | ${s.moderateP99} | ${s.errors} | ${s.upstreamCallsPerRequest} | ${s.serverCpuMsPerRequest} | ${s.upstreamCpuMsPerRequest} | ${s.facadePeakRssMb ?? "–"} |`,
  );
  return [
    `# Benchmark, ${report.date}`,
    "",
    `${machine.cores} cores, Node ${machine.node} (${machine.platform}); ${options.connections} connections, ` +
      `${options.duration}s per scenario after ${options.warmup}s of warm-up; upstream link ${options.wireFormat} over HTTP/${options.upstreamHttp}; ` +
      `token cache ${options.tokenCache}.`,
    "",
    `Under load (${options.connections} connections): req/s and p50/p90/p99. At a moderate load (one request at a time, ${options.latencySamples} requests): p50/p99.`,
    "",
    "| | scenario | workers | req/s | p50 ms | p90 ms | p99 ms | moderate p50 ms | moderate p99 ms | errors | upstream calls / req | server CPU ms / req | upstream CPU ms / req | server peak RSS MB |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...YARDSTICK_IDS.filter((yardstick) => report.yardsticks[yardstick]).map((yardstick) => {
      const { cpu, rss } = report.yardsticks[yardstick]!;
      const list = (ratios: Record<string, number>) =>
        Object.entries(ratios)
          .map(([id, ratio]) => `${id} **${ratio}**`)
          .join(", ");
      const target = yardstick === "M" ? " (target ≤ 1.0; milestone ≤ 1.5)" : "";
      return `- facade ÷ ${YARDSTICK_NAMES[yardstick]} on the same query: CPU per request ${list(cpu)}${target}; peak RSS ${list(rss)}`;
    }),
    ...(ratios
      ? [
          `- B/A throughput: **${ratios.throughputBOverA}** (two shared cores: mixes in the load generator's and the upstream's cost)`,
          `- added latency at a moderate load, B − A: p50 **${ratios.addedP50Ms} ms**, p99 **${ratios.addedP99Ms} ms** (target p50 ≤ 0.5, p99 ≤ 1.5 ms)`,
        ]
      : []),
    `- facade start to ready: **${report.startToReadyMs} ms** (target ≤ 500 ms)${report.baselineStartToReadyMs === undefined ? "" : `; the baseline build's ${report.baselineStartToReadyMs} ms`}`,
    "",
    "Hostile requests, one at a time, without a token unless said (target: each answered within 100 ms, and none takes more than 100 ms of the facade's CPU):",
    "",
    "| request | bytes | outcome | p50 ms | max ms | facade CPU ms / request |",
    "| --- | --- | --- | --- | --- | --- |",
    ...report.refusals.map(
      (r) => `| ${r.shape} | ${r.bytes} | ${r.outcome} | ${r.p50Ms} | ${r.maxMs} | ${r.cpuMsPerRequest} |`,
    ),
    "",
  ].join("\n");
}

/** Writes `<stamp>.json` and `<stamp>.md` under the output folder; returns their paths. */
export function writeReport(report: BenchReport, outDir: string): { json: string; markdown: string } {
  mkdirSync(outDir, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, "-");
  const json = join(outDir, `${stamp}.json`);
  const markdown = join(outDir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown(report));
  return { json, markdown };
}
