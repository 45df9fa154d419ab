import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration", () => {
  it("has working defaults: port 4000 and the in-process development upstream", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.upstream).toMatchObject({ url: undefined, wireFormat: "json", timeoutMs: 5000, maxConcurrency: 10 });
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", UPSTREAM_URL: "" }).upstream.url).toBeUndefined();
  });

  it("refuses bad values, naming every bad variable and its value", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "http", UPSTREAM_URL: "ftp://auth", UPSTREAM_MAX_CONCURRENCY: "0", UPSTREAM_WIRE_FORMAT: "xml" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain('PORT="http"');
    expect(problems).toContain('UPSTREAM_URL="ftp://auth"');
    expect(problems).toContain('UPSTREAM_MAX_CONCURRENCY="0"');
    expect(problems).toContain('UPSTREAM_WIRE_FORMAT="xml"');
    expect((error as ConfigError).problems).toHaveLength(4);
  });
});
