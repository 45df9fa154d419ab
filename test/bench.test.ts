import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBench } from "../bench/bench.js";
import { parseBenchArgs } from "../bench/options.js";
import { callsPerRequest, overYardstick, ratiosOf, toMarkdown, writeReport } from "../bench/report.js";

describe("benchmark options", () => {
  it("has defaults that finish within four minutes", () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({
      duration: 6,
      warmup: 8,
      slices: 3,
      connections: 10,
      workers: [1, 2],
      wireFormat: "json",
      upstreamHttp: "1.1",
      scenarios: ["B", "C", "D"],
    });
    // A, B, C, D, F and M on B/C/D, plus one B per further worker count, each with its warm-up.
    const seconds = (10 + options.workers.length - 1) * (options.duration + options.warmup);
    expect(seconds).toBeLessThan(240);
  });

  it("reads every flag and refuses bad values with the flag's name", () => {
    const options = parseBenchArgs([
      "--duration",
      "3",
      "--warmup",
      "0",
      "--slices",
      "2",
      "--connections",
      "4",
      "--workers",
      "1,2,4",
      "--wire",
      "binary",
      "--upstream-http",
      "2",
      "--token-cache",
      "0",
      "--latency-samples",
      "50",
      "--node-options=--max-old-space-size=64",
      "--out",
      "x",
      "--scenarios",
      "B,D",
      "--baseline",
      "../before/dist/oauth-clients-graph.mjs",
    ]);
    expect(options).toEqual({
      duration: 3,
      warmup: 0,
      slices: 2,
      connections: 4,
      workers: [1, 2, 4],
      wireFormat: "binary",
      upstreamHttp: "2",
      tokenCache: 0,
      latencySamples: 50,
      nodeOptions: ["--max-old-space-size=64"],
      outDir: "x",
      scenarios: ["B", "D"],
      baseline: "../before/dist/oauth-clients-graph.mjs",
    });
    expect(() => parseBenchArgs(["--duration", "0"])).toThrow(/--duration/);
    expect(() => parseBenchArgs(["--wire", "xml"])).toThrow(/--wire/);
    expect(() => parseBenchArgs(["--workers", "1.5"])).toThrow(/--workers/);
    expect(() => parseBenchArgs(["--slices", "1.5"])).toThrow(/--slices/);
    expect(() => parseBenchArgs(["--scenarios", "B,E"])).toThrow(/--scenarios/);
  });
});

/** A scenario result with every figure zero, for the arithmetic checks. */
const base = {
  title: "",
  workers: 1,
  requests: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  errors: 0,
  upstreamCallsPerRequest: 1,
  facadePeakRssMb: null,
  serverCpuMsPerRequest: 0,
  upstreamCpuMsPerRequest: 0,
  sliceCpuMsPerRequest: [],
};

describe("benchmark figures", () => {
  it("counts upstream calls per answered request", () => {
    expect(callsPerRequest(100, 300, 20)).toBe(10);
    expect(callsPerRequest(5, 5, 0)).toBe(0);
  });

  it("compares B with A: throughput ratio, added latency at a moderate load", () => {
    const a = { ...base, id: "A", throughput: 2000, moderateP50: 1.5, moderateP99: 3 };
    const b = { ...base, id: "B", throughput: 1500, moderateP50: 2.25, moderateP99: 4.5 };
    expect(ratiosOf(a, b)).toEqual({ throughputBOverA: 0.75, addedP50Ms: 0.75, addedP99Ms: 1.5 });
  });

  it("divides the facade's figure by a yardstick's on the same query", () => {
    const result = (id: string, cpu: number) => ({
      ...base,
      id,
      throughput: 1,
      moderateP50: 0,
      moderateP99: 0,
      serverCpuMsPerRequest: cpu,
    });
    const results = [
      result("B", 1.2),
      result("FB", 0.4),
      result("MB", 0.6),
      result("C", 9),
      result("FC", 6),
      result("D", 3),
    ];
    const cpu = (r: { serverCpuMsPerRequest: number }) => r.serverCpuMsPerRequest;
    expect(overYardstick(results, "F", cpu)).toEqual({ B: 3, C: 1.5 });
    expect(overYardstick(results, "M", cpu)).toEqual({ B: 2 });
  });
});

describe("a very short real run", () => {
  const out = mkdtempSync(join(tmpdir(), "ocg-bench-results-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("measures all four scenarios against real processes, beside a baseline build, and writes JSON and Markdown", async () => {
    const options = {
      ...parseBenchArgs([
        "--duration",
        "1",
        "--warmup",
        "0",
        "--connections",
        "2",
        "--workers",
        "1",
        "--latency-samples",
        "5",
        // The same build as its own baseline: what an A/B between two commits runs.
        "--baseline",
        "dist/oauth-clients-graph.mjs",
      ]),
      outDir: out,
    };
    const report = await runBench(options);
    // Each facade scenario beside the lean facade's, their measured slices taken in turn.
    expect(report.scenarios.map((s) => s.id)).toEqual([
      "A",
      "B",
      "FB",
      "MB",
      "WB",
      "C",
      "FC",
      "MC",
      "WC",
      "D",
      "FD",
      "MD",
      "WD",
    ]);
    for (const scenario of report.scenarios) {
      expect(scenario.requests).toBeGreaterThan(0);
      expect(scenario.errors).toBe(0);
    }
    const calls = Object.fromEntries(report.scenarios.map((s) => [s.id, s.upstreamCallsPerRequest]));
    expect(calls).toEqual({
      A: 1,
      ...{ B: 1, C: 10, D: 10 },
      ...{ FB: 1, FC: 10, FD: 10 },
      ...{ MB: 1, MC: 10, MD: 10 },
      ...{ WB: 1, WC: 10, WD: 10 },
    });
    for (const id of ["B", "FB", "MB"]) {
      expect(report.scenarios.find((s) => s.id === id)!.serverCpuMsPerRequest).toBeGreaterThan(0);
    }
    for (const yardstick of ["F", "M", "W"] as const) {
      expect(Object.keys(report.yardsticks[yardstick]!.cpu).sort()).toEqual(["B", "C", "D"]);
      expect(Object.keys(report.yardsticks[yardstick]!.rss).sort()).toEqual(["B", "C", "D"]);
    }
    expect(report.scenarios.find((s) => s.id === "B")!.facadePeakRssMb).toBeGreaterThan(10);
    expect(report.startToReadyMs).toBeGreaterThan(0);
    expect(report.machine.cores).toBeGreaterThan(0);

    const { json, markdown } = writeReport(report, out);
    expect(JSON.parse(readFileSync(json, "utf8"))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(readFileSync(markdown, "utf8")).toBe(toMarkdown(report));
    expect(toMarkdown(report)).toMatch(/B\/A throughput: \*\*[\d.]+\*\*/);
    // A run without B (`--scenarios C,D`) has no B/A to print, and still reports.
    const { ratios: _, ...withoutB } = report;
    expect(toMarkdown(withoutB)).not.toMatch(/B\/A throughput/);
    // Hostile requests are refused by the bound that names them; the 16 KB padding fits.
    expect(
      Object.fromEntries(report.refusals.map((r) => [r.bytes > 200_000 ? "body" : r.shape.split(",")[0], r.outcome])),
    ).toEqual({
      "fragment DAG": "expanded_selections",
      "16 KB of whitespace around { __typename }": "answered",
      body: "document_bytes",
      "498 × _entities { __typename }": "validation",
      "a batch of 10 distinct documents of 141 × __typename": "validation",
      "150-operation document": "validation",
      "a batch of 10 nulls": "BAD_REQUEST",
      "a batch of 10 documents of 50 variables not given after 998 newlines": "BAD_USER_INPUT",
      "101 unknown fields after 15000 newlines": "document_lines",
      "a batch of 8 documents of 101 unknown fields after 990 newlines": "GRAPHQL_VALIDATION_FAILED",
    });
  }, 120_000);
});
