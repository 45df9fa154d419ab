import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:http2";
import { createServer } from "node:net";
import type { UpstreamSettings } from "../src/config/variables.js";

/** Starting and watching the benchmark's separate processes: the production bundle under dist/, the yardsticks under bench/dist/. */

const root = new URL("..", import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Running {
  child: ChildProcess;
  url: string;
  /** Whether it speaks cleartext HTTP/2 (h2c) rather than HTTP/1.1. */
  http2?: boolean;
  stop(): Promise<void>;
}

/** GET a JSON document, over h2c when the process speaks it (fetch does not). */
export async function getJson(target: Running, path: string): Promise<unknown> {
  if (!target.http2) return (await fetch(`${target.url}${path}`)).json();
  const session = connect(target.url);
  try {
    return await new Promise((resolve, reject) => {
      let body = "";
      const stream = session.request({ ":path": path });
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => (body += chunk));
      stream.on("end", () => resolve(JSON.parse(body)));
      stream.on("error", reject);
    });
  } finally {
    session.close();
  }
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

/** The development upstream, alone in its process, with the settings it printed. */
export async function startUpstreamProcess(
  keyFile: string,
  http2: boolean,
): Promise<Running & { settings: UpstreamSettings }> {
  const args = ["--import", "tsx", "src/dev-upstream/main.ts", "--port", "0", ...(http2 ? ["--http2"] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, DEV_ISSUER_KEY_FILE: keyFile },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const settings = await new Promise<UpstreamSettings>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const line = output.split("\n", 2);
      if (line.length === 2) resolve(JSON.parse(line[0]!));
    });
    child.once("exit", (code) => reject(new Error(`development upstream exited with ${code}`)));
  });
  return { child, url: settings.url, settings, http2, stop: stopper(child) };
}

/** The facade, alone in its process (or a cluster of them); resolves once /readiness says 200. */
export async function startFacadeProcess(
  env: Record<string, string>,
  nodeOptions: string[],
  entry = "dist/oauth-clients-graph.mjs",
): Promise<Running & { startToReadyMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, entry], {
    cwd: root,
    // No readiness delay on stop: nothing balances load here.
    env: { PATH: process.env.PATH, LOG_LEVEL: "warn", SHUTDOWN_DELAY_MS: "0", PORT: String(port), ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`facade exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readiness`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { child, url, startToReadyMs: Math.round(performance.now() - started), stop: stopper(child) };
}

/** A process and all its descendants (a cluster's workers). */
function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    for (const task of safeList(`/proc/${pids[i]}/task`)) {
      const children = safeRead(`/proc/${pids[i]}/task/${task}/children`).trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    }
  }
  return pids;
}

/** Peak resident memory (VmHWM) of a process and all its descendants, in MB. */
export function peakRssMb(pid: number): number {
  const kb = processTree(pid).reduce(
    (sum, p) => sum + Number(/VmHWM:\s+(\d+)/.exec(safeRead(`/proc/${p}/status`))?.[1] ?? 0),
    0,
  );
  return Math.round((kb / 1024) * 10) / 10;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process and its descendants have used so far, in ms. */
export function cpuTimeMs(pid: number): number {
  const ticks = processTree(pid).reduce((sum, p) => {
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = safeRead(`/proc/${p}/stat`).split(") ")[1]?.split(" ") ?? [];
    return sum + Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }, 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** The yardsticks' servers: F (bench/lean-facade.ts) and M (bench/mercurius-facade.ts). */
export type Yardstick = "lean" | "mercurius";
const YARDSTICK_SOURCES: Record<Yardstick, string> = {
  lean: "bench/lean-facade.ts",
  mercurius: "bench/mercurius-facade.ts",
};
const bundleOf = (name: Yardstick) => `bench/dist/${name}-facade.mjs`;

/**
 * Bundles F and M as the facade is bundled (esbuild, one file each under bench/dist/), so
 * that every server is measured the same way: no tsx loader at run time.
 */
export async function buildYardsticks(): Promise<void> {
  const { build } = await import("esbuild");
  await Promise.all(
    (Object.keys(YARDSTICK_SOURCES) as Yardstick[]).map((name) =>
      build({
        absWorkingDir: root,
        entryPoints: [YARDSTICK_SOURCES[name]],
        outfile: bundleOf(name),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node24",
        logLevel: "warning",
        // Fastify's and Mercurius's CommonJS modules call require.
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      }),
    ),
  );
}

/**
 * Scenario F's or M's server, alone in its process: the bundle (buildYardsticks), or with
 * `fromSource` the TypeScript under tsx (for profiles, where packages must be told apart).
 */
export async function startYardstickProcess(
  name: Yardstick,
  settings: UpstreamSettings,
  options: { nodeOptions?: string[]; env?: Record<string, string>; fromSource?: boolean } = {},
): Promise<Running> {
  const entry = options.fromSource ? ["--import", "tsx", YARDSTICK_SOURCES[name]] : [bundleOf(name)];
  const args = [
    ...(options.nodeOptions ?? []),
    ...entry,
    "--upstream",
    settings.url,
    "--jwks",
    settings.jwksUrl,
    "--issuer",
    settings.issuer,
    "--audience",
    settings.audience,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${name} facade exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, stop: stopper(child) };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
