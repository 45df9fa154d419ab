import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const BANNER = /GraphiQL:\s+(\S+)[\s\S]*Development upstream:\s+(\S+)[\s\S]*Development token[^\n]*\n\s*(\S+)\n/;

/** A project command started as a person starts it, once it has printed its banner. */
export interface BannerProcess {
  child: ChildProcess;
  banner: RegExpExecArray;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once every process of its group is gone (npm dies of a signal before the service under it). */
  groupExited(): Promise<void>;
  /** Kills what is left and removes the scratch key file. */
  cleanUp(): void;
}

/**
 * Starts `file args` in the project, in a process group of its own, with no configuration
 * but a free port, a scratch key file and `env`, and resolves once its output matches `banner`.
 */
export async function spawnWithBanner(
  file: string,
  args: string[],
  banner: RegExp,
  env: Record<string, string> = {},
): Promise<BannerProcess> {
  const keyDir = mkdtempSync(join(tmpdir(), "ocg-service-"));
  const child = spawn(file, args, {
    cwd: root,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      DEV_ISSUER_KEY_FILE: join(keyDir, "keys.json"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const cleanUp = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    rmSync(keyDir, { recursive: true, force: true });
  };
  let output = "";
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 20 s; got:\n${output}`)), 20_000);
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      const found = banner.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.stderr!.on("data", (chunk) => (output += chunk));
    void exited.then((code) => reject(new Error(`exited with ${code} before its banner:\n${output}`)));
  }).catch((error) => {
    cleanUp();
    throw error;
  });
  const groupExited = async () => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        process.kill(-child.pid!, 0);
      } catch {
        return; // ESRCH: no process is left in the group
      }
      if (Date.now() > deadline) throw new Error("the service's processes did not exit within 20 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, banner: match, exited, groupExited, cleanUp };
}

export interface ServiceProcess extends BannerProcess {
  graphqlUrl: string;
  upstreamUrl: string;
  /** The development token the service printed. */
  token: string;
}

/**
 * Starts the service as a real process with no configuration but a free port and a scratch
 * key file, and resolves once it has printed its banner (GraphiQL URL, upstream, token).
 */
export async function spawnService(
  command: "npm start" | "node",
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const [file, args] =
    command === "npm start"
      ? ["npm", ["start", "--silent"]]
      : [process.execPath, ["--import", "tsx", "src/entry/development.ts"]];
  const started = await spawnWithBanner(file, args, BANNER, env);
  const { banner } = started;
  return { ...started, graphqlUrl: banner[1]!, upstreamUrl: banner[2]!, token: banner[3]! };
}

export async function queryName(service: ServiceProcess): Promise<unknown> {
  const response = await fetch(service.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${service.token}` },
    body: JSON.stringify({ query: `{ oauthClient(id: "550e8400-e29b-41d4-a716-446655440000") { name } }` }),
  });
  return response.json();
}
