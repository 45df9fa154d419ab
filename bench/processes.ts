import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:http2";
import { createServer } from "node:net";
import type { UpstreamSettings } from "../src/config.js";

/** Starting and watching the benchmark's separate processes (the production bundle under dist/). */

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
): Promise<Running & { startToReadyMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, "dist/oauth-clients-graph.mjs"], {
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

/** Peak resident memory (VmHWM) of a process and all its descendants, in MB. */
export function peakRssMb(pid: number): number {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    for (const task of safeList(`/proc/${pids[i]}/task`)) {
      const children = safeRead(`/proc/${pids[i]}/task/${task}/children`).trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    }
  }
  const kb = pids.reduce((sum, p) => sum + Number(/VmHWM:\s+(\d+)/.exec(safeRead(`/proc/${p}/status`))?.[1] ?? 0), 0);
  return Math.round((kb / 1024) * 10) / 10;
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
