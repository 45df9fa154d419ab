import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const problemsOf = (env: Record<string, string>, mode: "production" | "development") => {
  try {
    loadConfig(env, mode);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe("configuration", () => {
  it("has working development defaults: port 4000 and the in-process development upstream", () => {
    const config = loadConfig({}, "development");
    expect(config.port).toBe(4000);
    expect(config.upstream).toMatchObject({ url: undefined, wireFormat: "json", timeoutMs: 5000, maxConcurrency: 10 });
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", UPSTREAM_URL: "" }, "development").upstream.url).toBeUndefined();
  });

  it("refuses bad values, naming every bad variable and its value", () => {
    const problems = problemsOf(
      { PORT: "http", UPSTREAM_URL: "ftp://auth", UPSTREAM_MAX_CONCURRENCY: "0", UPSTREAM_WIRE_FORMAT: "xml" },
      "development",
    );
    const text = problems.join("\n");
    expect(text).toContain('PORT="http"');
    expect(text).toContain('UPSTREAM_URL="ftp://auth"');
    expect(text).toContain('UPSTREAM_MAX_CONCURRENCY="0"');
    expect(text).toContain('UPSTREAM_WIRE_FORMAT="xml"');
    // A configured upstream needs its issuer too.
    expect(problems.filter((problem) => problem.startsWith("AUTH_"))).toHaveLength(3);
    expect(problems).toHaveLength(7);
  });

  it("in production, names each missing upstream setting: there is no development upstream to fall back on", () => {
    expect(problemsOf({}, "production")).toEqual([
      "UPSTREAM_URL: is required in production",
      "AUTH_JWKS_URL: is required in production",
      "AUTH_ISSUER: is required in production",
      "AUTH_AUDIENCE: is required in production",
    ]);
    expect(
      problemsOf({ UPSTREAM_URL: "https://auth.example", AUTH_ISSUER: "https://issuer.example" }, "production"),
    ).toEqual(["AUTH_JWKS_URL: is required in production", "AUTH_AUDIENCE: is required in production"]);
  });
});
