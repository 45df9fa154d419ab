import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

describe("graceful shutdown", () => {
  it("on SIGTERM finishes the request in flight, refuses new ones, and exits 0", async () => {
    const keyDir = mkdtempSync(join(tmpdir(), "ocg-shutdown-"));
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: "0", LOG_LEVEL: "warn", DEV_ISSUER_KEY_FILE: join(keyDir, "keys.json") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let output = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 15_000);
        child.stdout.on("data", (chunk) => {
          output += chunk;
          if (/Development token[^\n]*\n\s*\S+\n/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const graphqlUrl = /GraphiQL:\s+(\S+)/.exec(output)![1]!;
      const upstreamUrl = /Development upstream:\s+(\S+)/.exec(output)![1]!;
      const token = /Development token[^\n]*\n\s*(\S+)\n/.exec(output)![1]!;

      // Every upstream call now takes 1.5 s: the request below is in flight when SIGTERM lands.
      await fetch(`${upstreamUrl}/__dev/latency`, { method: "POST", body: JSON.stringify({ ms: 1500 }) });
      const slow = fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `{ oauthClient(id: "550e8400-e29b-41d4-a716-446655440000") { name } }` }),
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");

      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
      expect(await exited).toBe(0);
      await expect(fetch(graphqlUrl)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});
