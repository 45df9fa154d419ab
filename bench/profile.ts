import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { upstreamEnvironment } from "../src/config.js";
import { DevIssuer } from "../src/dev-upstream/issuer.js";
import { startFacadeProcess, startUpstreamProcess } from "./processes.js";
import { scenarios } from "./scenarios.js";

/**
 * `npm run bench:profile -- [--scenario B] [--seconds 15] [--connections 10] [--functions N]`
 *
 * Loads one scenario against the facade run from source (unbundled, so that packages can be
 * told apart) under `--cpu-prof`, and prints its self time grouped by package, the table
 * bench/README.md records before and after each change; `--functions N` adds the N
 * functions with the most self time, each with its callers' package; `--stacks NAME` the
 * commonest call paths into the function NAME.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Which package (or part of the runtime) a stack frame belongs to. */
function owner({ functionName, url }: ProfileNode["callFrame"]): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inModules) return inModules[1]!;
  if (url.includes("/src/")) return "this service (src/)";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "(idle)";
  if (functionName === "(program)") return "(program: V8, not attributed)";
  return url === "" ? `V8 builtins` : url;
}

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "B" },
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "10" },
    functions: { type: "string", default: "0" },
    stacks: { type: "string" },
  },
});
const scenarioId = values.scenario as "B" | "C" | "D";
const dir = mkdtempSync(join(tmpdir(), "ocg-profile-"));
const keyFile = join(dir, "issuer-keys.json");
const token = await (await DevIssuer.create({ keyFile })).mint({ scopes: ["oauth:clients:read"] });
const scenario = scenarios(token)[scenarioId];
const upstream = await startUpstreamProcess(keyFile, false);
const facade = await startFacadeProcess(
  upstreamEnvironment(upstream.settings),
  ["--import", "tsx", "--cpu-prof", "--cpu-prof-dir", dir],
  "src/entry/production.ts",
);
try {
  const url = `${facade.url}${scenario.path}`;
  const request = { method: "POST" as const, headers: scenario.headers, body: JSON.stringify(scenario.body) };
  scenario.check(await (await fetch(url, request)).json());
  const result = await autocannon({
    url,
    ...request,
    connections: Number(values.connections),
    duration: Number(values.seconds),
  });
  await facade.stop();
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error("the facade wrote no profile");
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Node's and V8's own frames are charged, in the second column, to the package that called them.
  const isRuntime = (key: string) => key.startsWith("node:") || key === "V8 builtins";
  const caller = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = owner(byId.get(at)!.callFrame);
      if (!isRuntime(key)) return key;
    }
    return "node (no package on the stack)";
  };
  const self = new Map<string, number>();
  const charged = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const sample of profile.samples) {
    add(self, owner(byId.get(sample)!.callFrame));
    add(charged, caller(sample));
  }
  const busy = profile.samples.length - (self.get("(idle)") ?? 0);
  const share = (count: number | undefined) => `${((100 * (count ?? 0)) / busy).toFixed(1)} %`;
  console.log(
    `${scenarioId}: ${result["2xx"]} answers in ${values.seconds} s; ${profile.samples.length} samples, ${busy} busy`,
  );
  console.log("| where | self | with the runtime it called |\n| --- | ---: | ---: |");
  for (const [key, count] of [...new Set([...self.keys(), ...charged.keys()])]
    .map((key) => [key, Math.max(self.get(key) ?? 0, charged.get(key) ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])) {
    if (key === "(idle)" || count / busy < 0.003) continue;
    console.log(`| ${key} | ${share(self.get(key))} | ${isRuntime(key) ? "–" : share(charged.get(key))} |`);
  }
  const top = Number(values.functions);
  if (top > 0) {
    const byFunction = new Map<string, number>();
    for (const sample of profile.samples) {
      const { functionName, url } = byId.get(sample)!.callFrame;
      if (functionName === "(idle)") continue;
      add(byFunction, `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")} ← ${caller(sample)}`);
    }
    console.log("\n| self | function ← charged to |\n| ---: | --- |");
    for (const [key, count] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${share(count)} | ${key} |`);
    }
  }
  if (values.stacks) {
    const paths = new Map<string, number>();
    for (const sample of profile.samples) {
      if (byId.get(sample)!.callFrame.functionName !== values.stacks) continue;
      const frames: string[] = [];
      for (let at = parent.get(sample); at !== undefined && frames.length < 8; at = parent.get(at)) {
        const { functionName, url } = byId.get(at)!.callFrame;
        frames.push(`${functionName || "(anonymous)"}@${url.split("/").slice(-2).join("/")}`);
      }
      add(paths, frames.join(" < "));
    }
    console.log(`\ncall paths into ${values.stacks}:`);
    for (const [path, count] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`${share(count)}  ${path}`);
  }
} finally {
  await facade.stop();
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
}
