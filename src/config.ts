import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * The service's whole configuration, read from the environment once at start.
 * Every other module receives the parts it needs; nothing else reads process.env.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
/** A comma-separated list; empty items are dropped. */
const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));
/** An exact origin as browsers send it: scheme, host and port, nothing more. */
const origin = z.string().refine((value) => {
  try {
    return /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value;
  } catch {
    return false;
  }
}, "each must be an exact origin such as https://app.example.com (scheme, host, optional port; no path or trailing slash)");
const hostname = z.string().regex(/^[a-z0-9.-]+$/i, "each must be a host name without port, such as dev.example.test");
const boolean = z.enum(["true", "false"], { error: 'must be "true" or "false"' }).transform((v) => v === "true");

/** Asymmetric algorithms only: an HMAC or `none` token must never verify. */
const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;

/**
 * Which entry point runs: production (the bundle, against a configured upstream) or
 * development (`npm start`, with the development upstream unless one is configured).
 */
export type Mode = "production" | "development";

/** What a facade needs to use an upstream: where it is and how to verify the tokens it accepts. */
export interface UpstreamSettings {
  url: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** The variables that carry UpstreamSettings: required in production. */
const UPSTREAM_VARIABLES = {
  url: "UPSTREAM_URL",
  jwksUrl: "AUTH_JWKS_URL",
  issuer: "AUTH_ISSUER",
  audience: "AUTH_AUDIENCE",
} as const satisfies Record<keyof UpstreamSettings, string>;

const envSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(4000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  INTROSPECTION: boolean.optional(),
  SHUTDOWN_TIMEOUT_MS: positiveInt.max(600_000).default(10_000),
  SHUTDOWN_DELAY_MS: nonNegativeInt.max(120_000).optional(),
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.max(600_000).default(65_000),
  HTTP_MAX_CONNECTIONS: positiveInt.max(1_000_000).default(1_000),
  CORS_ORIGINS: list(origin).optional(),
  ALLOWED_HOSTS: list(hostname).default([]),
  LIMIT_MAX_DEPTH: positiveInt.max(100).default(10),
  LIMIT_MAX_ALIASES: positiveInt.max(10_000).default(60),
  LIMIT_MAX_TOKENS: positiveInt.max(1_000_000).default(2_000),
  LIMIT_MAX_DIRECTIVES: positiveInt.max(10_000).default(50),
  LIMIT_MAX_COST: positiveInt.max(10_000_000).default(1_000),
  LIMIT_MAX_BODY_BYTES: positiveInt.max(64 * 1024 * 1024).default(256 * 1024),
  LIMIT_MAX_DOCUMENT_BYTES: positiveInt.max(1024 * 1024).default(16 * 1024),
  LIMIT_MAX_EXPANDED_SELECTIONS: positiveInt.max(1_000_000).default(2_000),
  LIMIT_MAX_BATCH: nonNegativeInt.max(1_000).default(10),
  LIMIT_MAX_RESPONSE_BYTES: positiveInt.max(256 * 1024 * 1024).default(1024 * 1024),
  MAX_ENTITY_REPRESENTATIONS: positiveInt.max(10_000).default(100),
  CSRF_PREVENTION: boolean.default(true),
  UPSTREAM_URL: httpUrl.optional(),
  UPSTREAM_WIRE_FORMAT: z.enum(["json", "binary"]).default("json"),
  UPSTREAM_HTTP_VERSION: z.enum(["1.1", "2"]).default("1.1"),
  UPSTREAM_TIMEOUT_MS: positiveInt.max(120_000).default(5_000),
  UPSTREAM_MAX_CONCURRENCY: positiveInt.max(1_000).default(10),
  UPSTREAM_MAX_IN_FLIGHT: positiveInt.max(10_000).default(256),
  UPSTREAM_MAX_CALLS_PER_REQUEST: positiveInt.max(100_000).default(100),
  UPSTREAM_RETRIES: nonNegativeInt.max(10).default(2),
  UPSTREAM_MAX_RESPONSE_BYTES: positiveInt.max(64 * 1024 * 1024).default(1024 * 1024),
  REQUEST_TIMEOUT_MS: positiveInt.max(300_000).default(10_000),
  AUTH_JWKS_URL: httpUrl.optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ALGORITHMS: z
    .string()
    .default("ES256,RS256,PS256,EdDSA")
    .transform((list) =>
      list
        .split(",")
        .map((alg) => alg.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(ASYMMETRIC_ALGORITHMS, { error: `each must be one of ${ASYMMETRIC_ALGORITHMS.join(", ")}` }))
        .min(1),
    ),
  AUTH_CLOCK_TOLERANCE_S: nonNegativeInt.max(300).default(5),
  AUTH_JWKS_COOLDOWN_MS: nonNegativeInt.max(3_600_000).default(30_000),
  AUTH_JWKS_CACHE_MAX_AGE_MS: positiveInt.default(600_000),
  AUTH_TOKEN_CACHE_SIZE: nonNegativeInt.max(1_000_000).default(10_000),
  AUTH_MAX_TOKEN_AGE_S: positiveInt.max(366 * 24 * 3600).optional(),
  WORKERS: positiveInt.max(64).default(1),
  // OpenTelemetry's standard variables: tracing runs only when an endpoint is set.
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default("oauth-clients-graph"),
  OTEL_SDK_DISABLED: boolean.default(false),
  OTEL_TRACES_SAMPLER: z
    .enum([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ])
    .default("parentbased_always_on"),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  GRAPHIQL_TOKEN: z.string().min(1).optional(),
  DEV_ISSUER_KEY_FILE: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL("../.dev/issuer-keys.json", import.meta.url))),
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  logLevel: Env["LOG_LEVEL"];
  /** Processes serving requests (Node's cluster); 1 serves from the main process. */
  workers: number;
  /** A token GraphiQL opens with: read by the development entry only. */
  graphiqlToken: string | undefined;
  /** Where the development issuer keeps its keys, so `npm run token` and a running upstream agree. */
  devIssuerKeyFile: string;
  introspection: boolean;
  /** On SIGTERM, how long requests in flight may take before their connections are cut. */
  shutdownTimeoutMs: number;
  /** On SIGTERM, how long readiness reports 503 before the listener closes, so load balancers stop sending first. */
  shutdownDelayMs: number;
  http: HttpConfig;
  /** The time budget of one GraphQL request, shared by all its upstream calls. */
  requestTimeoutMs: number;
  limits: LimitsConfig;
  upstream: UpstreamConfig;
  auth: AuthConfig;
  /** OpenTelemetry traces over OTLP/HTTP; undefined when no endpoint is set (no tracing code runs). */
  tracing: TracingConfig | undefined;
}

/** Who may reach the service over HTTP, and how long a connection may take. */
export interface HttpConfig {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Open connections at most; past it, idle keep-alive connections are closed first, then new ones refused. */
  maxConnections: number;
  /** Origins whose pages may read responses (CORS); `loopback` adds any http://localhost or 127.0.0.1 port. */
  cors: { origins: string[]; loopback: boolean };
  /** Host headers answered; undefined answers any (production sits behind a load balancer). */
  allowedHosts: { names: string[]; loopback: true } | undefined;
}

/** Bounds on what one HTTP request may ask of the service. */
export interface LimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  maxBodyBytes: number;
  /** A GraphQL document longer than this (UTF-8 bytes) is refused before it is parsed. */
  maxDocumentBytes: number;
  /** Selections of an operation once its fragments are expanded where spread. */
  maxExpandedSelections: number;
  /** Operations in one batched request; 0 turns batching off. */
  maxBatch: number;
  /** A serialised GraphQL answer larger than this is replaced by a typed error. */
  maxResponseBytes: number;
  /** `_entities` representations in one request: each may cost an upstream call. */
  maxEntityRepresentations: number;
  /** Requires a non-simple request (JSON body or a custom header), so browsers cannot be tricked into sending one. */
  csrfPrevention: boolean;
}

export interface UpstreamConfig {
  /** Unset: the bundled development upstream is started in-process. */
  url: string | undefined;
  wireFormat: "json" | "binary";
  httpVersion: "1.1" | "2";
  timeoutMs: number;
  /** Upper bound on the upstream calls of one HTTP request (a whole batch) in flight at once. */
  maxConcurrency: number;
  /** Upper bound on upstream calls in flight for the whole process, shared fairly between requests. */
  maxInFlight: number;
  /** Upstream calls one HTTP request may make, retries included. */
  maxCallsPerRequest: number;
  /** How many times a GetClient that met `unavailable` is tried again. */
  retries: number;
  maxResponseBytes: number;
}

export interface TracingConfig {
  /** Where spans are posted (OTLP/HTTP, JSON). */
  tracesUrl: string;
  serviceName: string;
  sampler: Env["OTEL_TRACES_SAMPLER"];
  /** The ratio for the `traceidratio` samplers. */
  samplerRatio: number;
}

export interface AuthConfig {
  /** These three are unset only with the development upstream, which supplies them. */
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  algorithms: string[];
  clockToleranceSeconds: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  /** Verified tokens remembered (by hash) until they expire, at most five minutes; 0 turns it off. */
  tokenCacheSize: number;
  /** Refuse tokens issued longer ago than this (their `iat`); unset, only `exp` limits a token's life. */
  maxTokenAgeSeconds: number | undefined;
}

/** A configuration with its upstream and token issuer settled. */
export type ResolvedConfig = Config & {
  upstream: UpstreamConfig & { url: string };
  auth: AuthConfig & { jwksUrl: string; issuer: string; audience: string };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses and validates the environment for an entry point; throws a ConfigError naming
 * every bad or missing variable. Production has no development upstream to fall back on,
 * and neither has development once UPSTREAM_URL names a real one.
 */
export function loadConfig(env: Record<string, string | undefined>, mode: Mode): Config {
  // An empty variable means "not set", so `FOO= npm start` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = present[name];
        return `${name}${value === undefined ? "" : `=${JSON.stringify(value)}`}: ${issue.message}`;
      });
  if (mode === "production" || present.UPSTREAM_URL !== undefined) {
    const why = mode === "production" ? "is required in production" : "is required when UPSTREAM_URL is set";
    for (const name of Object.values(UPSTREAM_VARIABLES)) {
      if (present[name] === undefined) problems.push(`${name}: ${why}`);
    }
  }
  if (parsed.success && parsed.data.HTTP_HEADERS_TIMEOUT_MS > parsed.data.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push("HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (headers are part of the request)");
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    mode,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    workers: e.WORKERS,
    tracing: tracingConfig(e),
    graphiqlToken: e.GRAPHIQL_TOKEN,
    devIssuerKeyFile: e.DEV_ISSUER_KEY_FILE,
    // A schema is a map for attackers: shown by default only where people explore it.
    introspection: e.INTROSPECTION ?? mode === "development",
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    // Long enough for a Kubernetes endpoint removal to reach the load balancers; nothing to wait for in development.
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS ?? (mode === "production" ? 5_000 : 0),
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      cors: e.CORS_ORIGINS
        ? { origins: e.CORS_ORIGINS, loopback: false }
        : { origins: [], loopback: mode === "development" },
      // A development server on loopback must not answer a rebound DNS name (DNS rebinding).
      allowedHosts: mode === "development" ? { names: e.ALLOWED_HOSTS, loopback: true } : undefined,
    },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    limits: {
      maxDepth: e.LIMIT_MAX_DEPTH,
      maxAliases: e.LIMIT_MAX_ALIASES,
      maxTokens: e.LIMIT_MAX_TOKENS,
      maxDirectives: e.LIMIT_MAX_DIRECTIVES,
      maxCost: e.LIMIT_MAX_COST,
      maxBodyBytes: e.LIMIT_MAX_BODY_BYTES,
      maxDocumentBytes: e.LIMIT_MAX_DOCUMENT_BYTES,
      maxExpandedSelections: e.LIMIT_MAX_EXPANDED_SELECTIONS,
      maxBatch: e.LIMIT_MAX_BATCH,
      maxResponseBytes: e.LIMIT_MAX_RESPONSE_BYTES,
      maxEntityRepresentations: e.MAX_ENTITY_REPRESENTATIONS,
      csrfPrevention: e.CSRF_PREVENTION,
    },
    upstream: {
      url: e.UPSTREAM_URL,
      wireFormat: e.UPSTREAM_WIRE_FORMAT,
      httpVersion: e.UPSTREAM_HTTP_VERSION,
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      maxConcurrency: e.UPSTREAM_MAX_CONCURRENCY,
      maxInFlight: e.UPSTREAM_MAX_IN_FLIGHT,
      maxCallsPerRequest: e.UPSTREAM_MAX_CALLS_PER_REQUEST,
      retries: e.UPSTREAM_RETRIES,
      maxResponseBytes: e.UPSTREAM_MAX_RESPONSE_BYTES,
    },
    auth: {
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      algorithms: e.AUTH_ALGORITHMS,
      clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_S,
      jwksCooldownMs: e.AUTH_JWKS_COOLDOWN_MS,
      jwksCacheMaxAgeMs: e.AUTH_JWKS_CACHE_MAX_AGE_MS,
      tokenCacheSize: e.AUTH_TOKEN_CACHE_SIZE,
      maxTokenAgeSeconds: e.AUTH_MAX_TOKEN_AGE_S,
    },
  };
}

function tracingConfig(e: Env): TracingConfig | undefined {
  // As the OTLP specification says: the signal's own endpoint as is, the general one plus /v1/traces.
  const tracesUrl =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT && `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, "")}/v1/traces`);
  if (!tracesUrl || e.OTEL_SDK_DISABLED) return undefined;
  return {
    tracesUrl,
    serviceName: e.OTEL_SERVICE_NAME,
    sampler: e.OTEL_TRACES_SAMPLER,
    samplerRatio: e.OTEL_TRACES_SAMPLER_ARG,
  };
}

/** For entry points: the configuration, or the reasons it is bad on stderr and exit code 1. */
export function loadConfigOrExit(mode: Mode): Config {
  try {
    return loadConfig(process.env, mode);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** Settles the upstream: the configured one, or else the one given (the development upstream). */
export function resolveConfig(config: Config, fallback?: UpstreamSettings): ResolvedConfig {
  const settings = {
    url: config.upstream.url ?? fallback?.url,
    jwksUrl: config.auth.jwksUrl ?? fallback?.jwksUrl,
    issuer: config.auth.issuer ?? fallback?.issuer,
    audience: config.auth.audience ?? fallback?.audience,
  };
  const missing = Object.entries(UPSTREAM_VARIABLES).filter(([key]) => !settings[key as keyof UpstreamSettings]);
  if (missing.length > 0) throw new ConfigError(missing.map(([, name]) => `${name}: is required`));
  const { url, jwksUrl, issuer, audience } = settings as UpstreamSettings;
  return { ...config, upstream: { ...config.upstream, url }, auth: { ...config.auth, jwksUrl, issuer, audience } };
}

/** What the development entry hands its workers: GraphiQL's token, which they cannot mint. */
export function graphiqlTokenEnvironment(token: string | undefined): Record<string, string> {
  return token ? { GRAPHIQL_TOKEN: token } : {};
}

/** The environment that makes a facade (a worker, a separate process) use these upstream settings. */
export function upstreamEnvironment(settings: UpstreamSettings): Record<string, string> {
  return Object.fromEntries(
    Object.entries(UPSTREAM_VARIABLES).map(([key, name]) => [name, settings[key as keyof UpstreamSettings]]),
  );
}
