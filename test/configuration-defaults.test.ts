import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../src/config/config.js";

/**
 * The defaults a deployment gets with no environment at all, in each entry's mode, pinned
 * against docs/configuration.md's table: a changed default fails here until the page
 * says the same, and a page that drifts from the code fails too.
 */
const PRODUCTION_MINIMUM = {
  UPSTREAM_URL: "https://auth.example.test",
  AUTH_JWKS_URL: "https://auth.example.test/.well-known/jwks.json",
  AUTH_ISSUER: "https://auth.example.test",
  AUTH_AUDIENCE: "urn:example",
};
const production = loadConfig(PRODUCTION_MINIMUM, "production");
const development = loadConfig({}, "development");

/** Where each variable with a literal default lands in the configuration. */
const SETTINGS: Record<string, (config: Config) => unknown> = {
  HOST: (c) => c.host,
  PORT: (c) => c.port,
  LOG_LEVEL: (c) => c.logLevel,
  AUTH_ALGORITHMS: (c) => c.auth.algorithms.join(","),
  AUTH_CLOCK_TOLERANCE_S: (c) => c.auth.clockToleranceSeconds,
  AUTH_JWKS_COOLDOWN_MS: (c) => c.auth.jwksCooldownMs,
  AUTH_JWKS_CACHE_MAX_AGE_MS: (c) => c.auth.jwksCacheMaxAgeMs,
  AUTH_TOKEN_CACHE_SIZE: (c) => c.auth.tokenCacheSize,
  INTROSPECTION: (c) => c.introspection,
  UPSTREAM_WIRE_FORMAT: (c) => c.upstream.wireFormat,
  UPSTREAM_HTTP_VERSION: (c) => c.upstream.httpVersion,
  UPSTREAM_CALL_TIMEOUT_MS: (c) => c.upstream.callTimeoutMs,
  UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: (c) => c.upstream.maxInFlightPerRequest,
  UPSTREAM_RETRIES: (c) => c.upstream.retries,
  UPSTREAM_MAX_IN_FLIGHT: (c) => c.upstream.maxInFlight,
  UPSTREAM_MAX_CALLS_PER_REQUEST: (c) => c.upstream.maxCallsPerRequest,
  UPSTREAM_MAX_RESPONSE_BYTES: (c) => c.upstream.maxResponseBytes,
  LIMIT_REQUEST_TIMEOUT_MS: (c) => c.limits.requestTimeoutMs,
  LIMIT_MAX_DEPTH: (c) => c.limits.maxDepth,
  LIMIT_MAX_ALIASES: (c) => c.limits.maxAliases,
  LIMIT_MAX_TOKENS: (c) => c.limits.maxTokens,
  LIMIT_MAX_DIRECTIVES: (c) => c.limits.maxDirectives,
  LIMIT_MAX_COST: (c) => c.limits.maxCost,
  LIMIT_MAX_REPRESENTATIONS: (c) => c.limits.maxRepresentations,
  LIMIT_MAX_RESPONSE_BYTES: (c) => c.limits.maxResponseBytes,
  LIMIT_MAX_BODY_BYTES: (c) => c.limits.maxBodyBytes,
  LIMIT_MAX_DOCUMENT_BYTES: (c) => c.limits.maxDocumentBytes,
  LIMIT_MAX_EXPANDED_SELECTIONS: (c) => c.limits.maxExpandedSelections,
  LIMIT_MAX_VALIDATION_PAIRS: (c) => c.limits.maxValidationPairs,
  LIMIT_MAX_BATCH: (c) => c.limits.maxBatch,
  CSRF_PREVENTION: (c) => c.limits.csrfPrevention,
  HTTP_HEADERS_TIMEOUT_MS: (c) => c.http.headersTimeoutMs,
  HTTP_RECEIVE_TIMEOUT_MS: (c) => c.http.receiveTimeoutMs,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: (c) => c.http.keepAliveTimeoutMs,
  HTTP_MAX_CONNECTIONS: (c) => c.http.maxConnections,
  SHUTDOWN_DELAY_MS: (c) => c.shutdownDelayMs,
  SHUTDOWN_TIMEOUT_MS: (c) => c.shutdownTimeoutMs,
  WORKERS: (c) => c.workers,
  OTEL_SERVICE_NAME: (c) => c.tracing?.serviceName ?? "oauth-clients-graph",
};

/** The configuration tables of docs/configuration.md: variable → default cell. */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8");
  const rows = [...readme.matchAll(/^\| `([A-Z0-9_]+)` +\| ([^|]+?) +\|/gm)];
  return new Map(rows.map((row) => [row[1]!, row[2]!]));
}

describe("defaults with an empty environment", () => {
  const documented = readmeDefaults();

  it.each(Object.keys(SETTINGS))("%s: docs/configuration.md's default is what each entry gets", (name) => {
    const cell = documented.get(name);
    expect(cell, `${name} is missing from docs/configuration.md`).toBeDefined();
    // "`a`" applies to both entries; "`a` / `b`" is production / development.
    const literals = [...cell!.matchAll(/`([^`]*)`/g)].map((match) => match[1]!);
    const [forProduction, forDevelopment] = literals.length === 2 ? literals : [literals[0], literals[0]];
    expect(String(SETTINGS[name]!(production))).toBe(forProduction);
    expect(String(SETTINGS[name]!(development))).toBe(forDevelopment);
  });

  it("pins the security defaults of each entry", () => {
    expect(production.introspection).toBe(false);
    expect(development.introspection).toBe(true);
    expect(production.http.cors).toEqual({ origins: [], loopback: false });
    expect(development.http.cors).toEqual({ origins: [], loopback: true });
    expect(production.http.allowedHosts).toBeUndefined();
    expect(development.http.allowedHosts).toEqual({ names: [], loopback: true });
    expect(production.auth.maxTokenAgeSeconds).toBeUndefined();
    expect(production.tracing).toBeUndefined();
    expect(production.limits).toEqual({
      requestTimeoutMs: 10000,
      maxDepth: 10,
      maxAliases: 60,
      maxTokens: 2000,
      maxDirectives: 50,
      maxCost: 1000,
      maxBodyBytes: 262144,
      maxDocumentBytes: 16384,
      maxExpandedSelections: 2000,
      maxValidationPairs: 40000,
      maxBatch: 10,
      maxResponseBytes: 1048576,
      maxRepresentations: 100,
      csrfPrevention: true,
    });
  });

  it("documents every variable the configuration reads", () => {
    const source = readFileSync(new URL("../src/config/variables.ts", import.meta.url), "utf8");
    const block = source.slice(source.indexOf("const envSchema"), source.indexOf("export type Env ="));
    const read = [...block.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!);
    expect(read.length).toBeGreaterThan(30);
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });
});
