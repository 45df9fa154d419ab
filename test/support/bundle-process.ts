import { spawn } from "node:child_process";

const root = new URL("../..", import.meta.url).pathname;
export const BUNDLE = "dist/oauth-clients-graph.mjs";

export interface BundleRun {
  /** Where the bundle is: the repository (default), or a copy of dist/ elsewhere. */
  cwd?: string;
  entry?: string;
  /** Options for node before the entry. */
  nodeOptions?: string[];
  /** Run as this user and group (root only). */
  user?: { uid: number; gid: number };
}

/** The production bundle as a process, as docs/operations.md runs it, with only the given environment. */
export function runBundle(env: Record<string, string>, options: BundleRun = {}) {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), options.entry ?? BUNDLE], {
    cwd: options.cwd ?? root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...options.user,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  /** Resolves with its GraphQL URL once it logs that it listens (LOG_LEVEL info or lower). */
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const line = /"url":"([^"]+)"[^\n]*"msg":"facade listening"/.exec(stdout);
      if (line) resolve(line[1]!);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // A run that is expected to fail never listens: nobody need wait on this then.
  listening.catch(() => {});
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}
