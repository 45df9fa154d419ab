import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/config.js";

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
    expect(config.upstream).toMatchObject({
      url: undefined,
      wireFormat: "json",
      callTimeoutMs: 5000,
      maxInFlightPerRequest: 10,
    });
    expect(config.warnings).toEqual([]);
  });

  it("still reads a renamed variable's old name for one release, with a warning naming the new one", () => {
    const config = loadConfig({ UPSTREAM_TIMEOUT_MS: "1234", MAX_ENTITY_REPRESENTATIONS: "7" }, "development");
    expect(config.upstream.callTimeoutMs).toBe(1234);
    expect(config.limits.maxRepresentations).toBe(7);
    expect(config.warnings).toEqual([
      "UPSTREAM_TIMEOUT_MS is renamed UPSTREAM_CALL_TIMEOUT_MS; the old name is read for one more release",
      "MAX_ENTITY_REPRESENTATIONS is renamed LIMIT_MAX_REPRESENTATIONS; the old name is read for one more release",
    ]);
    const both = loadConfig({ UPSTREAM_TIMEOUT_MS: "1234", UPSTREAM_CALL_TIMEOUT_MS: "99" }, "development");
    expect(both.upstream.callTimeoutMs).toBe(99);
    expect(both.warnings).toEqual(["UPSTREAM_TIMEOUT_MS is ignored: UPSTREAM_CALL_TIMEOUT_MS is set too"]);
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", UPSTREAM_URL: "" }, "development").upstream.url).toBeUndefined();
  });

  it("refuses bad values, naming every bad variable and its value", () => {
    const problems = problemsOf(
      {
        PORT: "http",
        UPSTREAM_URL: "ftp://auth",
        UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: "0",
        UPSTREAM_WIRE_FORMAT: "xml",
      },
      "development",
    );
    const text = problems.join("\n");
    expect(text).toContain('PORT="http"');
    expect(text).toContain('UPSTREAM_URL="ftp://auth"');
    expect(text).toContain('UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST="0"');
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
