import { execFileSync } from "node:child_process";

/** Vitest's global setup: the production bundle is built once, before any test reads or runs it. */
export default function buildBundle() {
  execFileSync("npm", ["run", "--silent", "build"], {
    cwd: new URL("../..", import.meta.url).pathname,
    stdio: "inherit",
  });
}
