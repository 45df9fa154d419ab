import { parseArgs } from "node:util";

/** What one `npm run bench` does; every field has a flag. */
export interface BenchOptions {
  /** Seconds each scenario is measured for. */
  duration: number;
  /** Seconds of unmeasured load before each scenario. */
  warmup: number;
  /** Turns each side-by-side pair takes within its measured seconds (facade, lean facade, …). */
  slices: number;
  /** Concurrent connections of the load generator. */
  connections: number;
  /** Requests sent one at a time to measure latency at a moderate load. */
  latencySamples: number;
  /** Worker counts to compare on scenario B, e.g. [1, 2]. */
  workers: number[];
  wireFormat: "json" | "binary";
  upstreamHttp: "1.1" | "2";
  /** Verified-token cache size of the facade (0 turns it off). */
  tokenCache: number;
  /** Flags for the facade's node, e.g. heap sizes. */
  nodeOptions: string[];
  outDir: string;
  /** The facade's scenarios measured (B, C, D; A, the direct call, always runs). */
  scenarios: ("B" | "C" | "D")[];
  /** Another build of the facade (its bundle's entry file), measured beside this one: an A/B in one run. */
  baseline?: string;
}

export const USAGE = `usage: npm run bench -- [--duration S] [--warmup S] [--slices N] [--connections N] [--latency-samples N] [--workers 1,2]
                        [--wire json|binary] [--upstream-http 1.1|2] [--token-cache N]
                        [--node-options="--max-old-space-size=96 …"] [--out DIR] [--baseline OTHER/dist/oauth-clients-graph.mjs] [--scenarios B,C,D]`;

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string", default: "6" },
      warmup: { type: "string", default: "8" },
      slices: { type: "string", default: "3" },
      connections: { type: "string", default: "10" },
      "latency-samples": { type: "string", default: "500" },
      workers: { type: "string", default: "1,2" },
      wire: { type: "string", default: "json" },
      "upstream-http": { type: "string", default: "1.1" },
      "token-cache": { type: "string", default: "10000" },
      "node-options": { type: "string", default: "" },
      out: { type: "string", default: "bench/results" },
      baseline: { type: "string" },
      scenarios: { type: "string", default: "B,C,D" },
    },
  });
  const positive = (name: string, raw: string, allowZero = false) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
      throw new Error(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const oneOf = <T extends string>(name: string, raw: string, allowed: readonly T[]): T => {
    if (!allowed.includes(raw as T))
      throw new Error(`--${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
    return raw as T;
  };
  const wholeNumber = (name: string, raw: string) => {
    const n = positive(name, raw);
    if (!Number.isInteger(n)) throw new Error(`--${name} takes whole numbers, got ${JSON.stringify(raw)}`);
    return n;
  };
  const workers = values.workers.split(",").map((w) => wholeNumber("workers", w.trim()));
  return {
    duration: positive("duration", values.duration),
    warmup: positive("warmup", values.warmup, true),
    slices: wholeNumber("slices", values.slices),
    connections: Math.round(positive("connections", values.connections)),
    latencySamples: Math.round(positive("latency-samples", values["latency-samples"])),
    workers,
    wireFormat: oneOf("wire", values.wire, ["json", "binary"] as const),
    upstreamHttp: oneOf("upstream-http", values["upstream-http"], ["1.1", "2"] as const),
    tokenCache: Math.round(positive("token-cache", values["token-cache"], true)),
    nodeOptions: values["node-options"].split(" ").filter(Boolean),
    outDir: values.out,
    scenarios: values.scenarios.split(",").map((id) => oneOf("scenarios", id.trim(), ["B", "C", "D"] as const)),
    ...(values.baseline ? { baseline: values.baseline } : {}),
  };
}
