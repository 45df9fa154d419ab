import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeJwt } from "jose";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const run = promisify(execFile);
const keyDir = mkdtempSync(join(tmpdir(), "ocg-tools-"));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

/** Runs a TypeScript entry of the project the way its npm script does; its exit code and output. */
async function tool(file: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", file, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DEV_ISSUER_KEY_FILE: join(keyDir, "keys.json"), ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run token", () => {
  it("mints with production variables set, even incomplete or wrong ones: it reads only its key file", async () => {
    const { code, stdout } = await tool("src/dev-upstream/token.ts", ["oauth:clients:manage", "--subject", "alice"], {
      UPSTREAM_URL: "https://auth.example.test",
      PORT: "not-a-port",
    });
    expect(code).toBe(0);
    const claims = decodeJwt(stdout.trim());
    expect(claims.sub).toBe("alice");
    expect(String(claims.scope)).toContain("oauth:clients:manage");
  });

  it("grants oauth:clients:read alone when given no scope", async () => {
    const { stdout } = await tool("src/dev-upstream/token.ts", []);
    expect(decodeJwt(stdout.trim()).scope).toBe("oauth:clients:read");
  });

  it("prints its usage for --help", async () => {
    const { code, stdout } = await tool("src/dev-upstream/token.ts", ["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run token/);
    expect(stdout).toContain("--subject");
    expect(stdout).toContain("  oauth:clients:read\n  oauth:clients:manage\n");
  });

  it("warns on stderr of a scope the service does not know, and mints it", async () => {
    const { code, stdout, stderr } = await tool("src/dev-upstream/token.ts", ["oauth:clients:raed"]);
    expect(code).toBe(0);
    expect(decodeJwt(stdout.trim()).scope).toBe("oauth:clients:raed");
    expect(stderr).toBe(
      'warning: the service knows no scope "oauth:clients:raed" (it knows oauth:clients:read, oauth:clients:manage); minted anyway\n',
    );
    const known = await tool("src/dev-upstream/token.ts", ["oauth:clients:read", "oauth:clients:manage"]);
    expect(known.stderr).toBe("");
  });

  it.each([["--bogus"], ["--expires-in", "soon"]])(
    "answers %s with one line and the usage, exit 2, no stack",
    async (...args) => {
      const { code, stderr } = await tool("src/dev-upstream/token.ts", args);
      expect(code).toBe(2);
      expect(stderr.split("\n")[0]).toMatch(/bogus|--expires-in/);
      expect(stderr).toContain("Usage: npm run token");
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe("npm start", () => {
  it("names PORT in one line when the port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      const { code, stderr } = await tool("src/entry/development.ts", [], { PORT: String(port), LOG_LEVEL: "silent" });
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(`PORT ${port} on 127.0.0.1 is already in use: set PORT (and HOST) to another.`);
    } finally {
      taken.close();
    }
  });
});
