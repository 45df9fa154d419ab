import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { upstreamEnvironment } from "../src/config/upstream-settings.js";
import { DevIssuer } from "../src/dev-upstream/issuer.js";
import { startFacadeProcess, startUpstreamProcess, startYardstickProcess } from "./processes.js";
import { requestOf, scenarios } from "./scenarios.js";

/**
 * `npm run bench:profile -- [--scenario B] [--seconds 15] [--connections 10] [--functions N]
 *                           [--stacks NAME] [--server facade|lean|mercurius] [--allocations] [--keep]`
 *
 * Loads one scenario against the facade run from source (unbundled, so that packages can be
 * told apart) under `--cpu-prof`, and prints its self time grouped by package, the table
 * bench/README.md records before and after each change; `--functions N` adds the N
 * functions with the most self time, each with its callers' package; `--stacks NAME` the
 * commonest call paths into the function NAME. `--server lean` or `--server mercurius`
 * profiles scenario F's or M's server instead; `--allocations` weighs by bytes allocated (garbage included) instead of time;
 * `--keep` leaves the profile on disk (its folder is printed) to open in Chrome DevTools.
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
interface AllocationNode {
  id: number;
  callFrame: ProfileNode["callFrame"];
  selfSize: number;
  children: AllocationNode[];
}

/** A profile as call-tree nodes and a weight (CPU samples, or bytes allocated) on each. */
interface WeightedTree {
  nodes: ProfileNode[];
  weights: Map<number, number>;
}

function fromCpuProfile(profile: CpuProfile): WeightedTree {
  const weights = new Map<number, number>();
  for (const id of profile.samples) weights.set(id, (weights.get(id) ?? 0) + 1);
  return { nodes: profile.nodes, weights };
}

function fromAllocationProfile(head: AllocationNode): WeightedTree {
  const nodes: ProfileNode[] = [];
  const weights = new Map<number, number>();
  const visit = (node: AllocationNode) => {
    nodes.push({ id: node.id, callFrame: node.callFrame, children: node.children.map((child) => child.id) });
    if (node.selfSize > 0) weights.set(node.id, node.selfSize);
    node.children.forEach(visit);
  };
  visit(head);
  return { nodes, weights };
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
    allocations: { type: "boolean", default: false },
    server: { type: "string", default: "facade" },
    keep: { type: "boolean", default: false },
  },
});
const scenarioId = values.scenario as "B" | "C" | "D";
const dir = mkdtempSync(join(tmpdir(), "ocg-profile-"));
const keyFile = join(dir, "issuer-keys.json");
const token = await (await DevIssuer.create({ keyFile })).mint({ scopes: ["oauth:clients:read"] });
const scenario = scenarios(token)[scenarioId];
const upstream = await startUpstreamProcess(keyFile, false);
const profiler = values.allocations
  ? ["--import", "./bench/allocation-sampler.ts"]
  : ["--cpu-prof", "--cpu-prof-dir", dir];
// A yardstick (scenario F or M) under the same profiler, to set its figures beside the facade's.
const facade =
  values.server === "lean" || values.server === "mercurius"
    ? await startYardstickProcess(values.server, upstream.settings, {
        nodeOptions: profiler,
        env: { ALLOCATION_PROFILE_DIR: dir },
        fromSource: true,
      })
    : await startFacadeProcess(
        { ...upstreamEnvironment(upstream.settings), ALLOCATION_PROFILE_DIR: dir },
        ["--import", "tsx", ...profiler],
        "src/entry/production-service.ts",
      );
try {
  const url = `${facade.url}${scenario.path}`;
  const request = requestOf(scenario);
  scenario.check(await (await fetch(url, request)).json());
  const result = await autocannon({
    url,
    ...request,
    connections: Number(values.connections),
    duration: Number(values.seconds),
  });
  await facade.stop();
  const file = readdirSync(dir).find((name) => name.endsWith(values.allocations ? ".heapprofile" : ".cpuprofile"));
  if (!file) throw new Error("the facade wrote no profile");
  const parsed = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const { nodes, weights } = values.allocations ? fromAllocationProfile(parsed.head) : fromCpuProfile(parsed);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
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
  const add = (map: Map<string, number>, key: string, weight: number) => map.set(key, (map.get(key) ?? 0) + weight);
  let total = 0;
  for (const [id, weight] of weights) {
    add(self, owner(byId.get(id)!.callFrame), weight);
    add(charged, caller(id), weight);
    total += weight;
  }
  const busy = total - (self.get("(idle)") ?? 0);
  const share = (weight: number | undefined) => `${((100 * (weight ?? 0)) / busy).toFixed(1)} %`;
  const answers = result["2xx"];
  console.log(
    values.allocations
      ? `${scenarioId}: ${answers} answers in ${values.seconds} s; ${(busy / 2 ** 20).toFixed(0)} MB allocated (sampled), ${(busy / answers / 1024).toFixed(1)} kB per answer`
      : `${scenarioId}: ${answers} answers in ${values.seconds} s; ${total} samples, ${busy} busy`,
  );
  console.log("| where | self | with the runtime it called |\n| --- | ---: | ---: |");
  for (const [key, weight] of [...new Set([...self.keys(), ...charged.keys()])]
    .map((key) => [key, Math.max(self.get(key) ?? 0, charged.get(key) ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])) {
    if (key === "(idle)" || weight / busy < 0.003) continue;
    console.log(`| ${key} | ${share(self.get(key))} | ${isRuntime(key) ? "–" : share(charged.get(key))} |`);
  }
  const top = Number(values.functions);
  if (top > 0) {
    const byFunction = new Map<string, number>();
    for (const [id, weight] of weights) {
      const { functionName, url } = byId.get(id)!.callFrame;
      if (functionName === "(idle)") continue;
      add(byFunction, `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")} ← ${caller(id)}`, weight);
    }
    console.log("\n| self | function ← charged to |\n| ---: | --- |");
    for (const [key, weight] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${share(weight)} | ${key} |`);
    }
  }
  if (values.stacks) {
    const paths = new Map<string, number>();
    for (const [id, weight] of weights) {
      if (byId.get(id)!.callFrame.functionName !== values.stacks) continue;
      const frames: string[] = [];
      for (let at = parent.get(id); at !== undefined && frames.length < 8; at = parent.get(at)) {
        const { functionName, url } = byId.get(at)!.callFrame;
        frames.push(`${functionName || "(anonymous)"}@${url.split("/").slice(-2).join("/")}`);
      }
      add(paths, frames.join(" < "), weight);
    }
    console.log(`\ncall paths into ${values.stacks}:`);
    for (const [path, weight] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`${share(weight)}  ${path}`);
  }
} finally {
  await facade.stop();
  await upstream.stop();
  if (values.keep) console.log(`\nthe profile: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
