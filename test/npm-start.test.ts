import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

/** Resolves with everything printed once `pattern` appears on stdout. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; got:\n${output}`)), timeoutMs);
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}:\n${output}`)));
  });
}

describe("npm start with no configuration", () => {
  const keyDir = mkdtempSync(join(tmpdir(), "ocg-start-"));
  const child = spawn("npm", ["start", "--silent"], {
    cwd: root,
    detached: true,
    // No facade configuration at all, only a free port and a scratch key file.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", DEV_ISSUER_KEY_FILE: join(keyDir, "keys.json") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  afterAll(() => {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
    rmSync(keyDir, { recursive: true, force: true });
  });

  it("serves a working query with the token it prints, within a few seconds, and stops on SIGTERM", async () => {
    const started = Date.now();
    const output = await waitForOutput(child, /Development token[^\n]*\n\s*(\S+)\n/, 15_000);
    const graphqlUrl = /GraphiQL:\s+(\S+)/.exec(output)![1]!;
    const token = /Development token[^\n]*\n\s*(\S+)\n/.exec(output)![1]!;

    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ oauthClient(id: "550e8400-e29b-41d4-a716-446655440000") { name } }` }),
    });
    expect(await response.json()).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
    expect(Date.now() - started).toBeLessThan(10_000);

    // npm itself dies of the signal; the service under it shuts down and lets go of the port.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
    await expect(fetch(graphqlUrl)).rejects.toThrow();
  });
});
