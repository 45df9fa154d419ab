import { type Mode, POLICIES } from "./policy.js";
import type { Env } from "./variables.js";
import { orExit, readVariables } from "./variables.js";

/**
 * The service's configuration, made from the environment once at start: the typed shape every
 * module receives a part of, and how an entry point gets it. The variables themselves are in
 * variables.ts, what differs between the entries in policy.ts, the upstream's settings in
 * upstream-settings.ts.
 */

export type { Mode } from "./policy.js";
export { ConfigError } from "./variables.js";

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  logLevel: Env["LOG_LEVEL"];
  /** Old variable names in use, each a line to warn of at start. */
  warnings: string[];
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
  limits: LimitsConfig;
  upstream: UpstreamConfig;
  auth: AuthConfig;
  /** OpenTelemetry traces over OTLP/HTTP; undefined when no endpoint is set (no tracing code runs). */
  tracing: TracingConfig | undefined;
}

/** Who may reach the service over HTTP, and how long a connection may take. */
export interface HttpConfig {
  /** `HTTP_HEADERS_TIMEOUT_MS`, @default 10000. */
  headersTimeoutMs: number;
  /** The whole HTTP request, headers and body, must arrive within this. `HTTP_RECEIVE_TIMEOUT_MS`, @default 30000. */
  receiveTimeoutMs: number;
  /** `HTTP_KEEP_ALIVE_TIMEOUT_MS`, @default 65000. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; past it, idle keep-alive connections are closed first, then new ones refused. `HTTP_MAX_CONNECTIONS`, @default 1000. */
  maxConnections: number;
  /** Origins whose pages may read responses (CORS); `loopback` adds any http://localhost or 127.0.0.1 port. `CORS_ORIGINS`. */
  cors: { origins: string[]; loopback: boolean };
  /** Host headers answered; undefined answers any (production sits behind a load balancer). */
  allowedHosts: { names: string[]; loopback: true } | undefined;
}

/** Bounds on what one HTTP request (a batch's operations together, or one operation where said) may ask of the service. */
export interface LimitsConfig {
  /** The time budget of one HTTP request's answer, shared by every upstream call it makes. `LIMIT_REQUEST_TIMEOUT_MS`, @default 10000. */
  requestTimeoutMs: number;
  /** `LIMIT_MAX_DEPTH`, @default 10. */
  maxDepth: number;
  /** `LIMIT_MAX_ALIASES`, @default 60. */
  maxAliases: number;
  /** `LIMIT_MAX_TOKENS`, @default 2000. */
  maxTokens: number;
  /** `LIMIT_MAX_DIRECTIVES`, @default 50. */
  maxDirectives: number;
  /** `LIMIT_MAX_COST`, @default 1000. */
  maxCost: number;
  /** `LIMIT_MAX_BODY_BYTES`, @default 256 * 1024. */
  maxBodyBytes: number;
  /** A GraphQL document longer than this (UTF-8 bytes) is refused before it is parsed. `LIMIT_MAX_DOCUMENT_BYTES`, @default 16 * 1024. */
  maxDocumentBytes: number;
  /** Selections of an operation once its fragments are expanded where spread. `LIMIT_MAX_EXPANDED_SELECTIONS`, @default 2000. */
  maxExpandedSelections: number;
  /** Field pairs graphql-js's validation may compare for one HTTP request (its documents together). `LIMIT_MAX_VALIDATION_PAIRS`, @default 40000. */
  maxValidationPairs: number;
  /** Operations in one batched request; 0 turns batching off. `LIMIT_MAX_BATCH`, @default 10. */
  maxBatch: number;
  /** A serialised GraphQL answer larger than this is replaced by a typed error. `LIMIT_MAX_RESPONSE_BYTES`, @default 1024 * 1024. */
  maxResponseBytes: number;
  /** `_entities` representations in one request: each may cost an upstream call. `LIMIT_MAX_REPRESENTATIONS`, @default 100. */
  maxRepresentations: number;
  /** Requires a non-simple request (JSON body or a custom header), so browsers cannot be tricked into sending one. `CSRF_PREVENTION`, @default true. */
  csrfPrevention: boolean;
}

export interface UpstreamConfig {
  /** Unset: the bundled development upstream is started in-process. `UPSTREAM_URL`. */
  url: string | undefined;
  /** `UPSTREAM_WIRE_FORMAT`, @default "json". */
  wireFormat: "json" | "binary";
  /** `UPSTREAM_HTTP_VERSION`, @default "1.1". */
  httpVersion: "1.1" | "2";
  /** How long one upstream call may take (less when the request's budget has less left). `UPSTREAM_CALL_TIMEOUT_MS`, @default 5000. */
  callTimeoutMs: number;
  /** Upper bound on the upstream calls of one HTTP request (a whole batch) in flight at once. `UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST`, @default 10. */
  maxInFlightPerRequest: number;
  /** Upper bound on upstream calls in flight for the whole process, shared fairly between requests. `UPSTREAM_MAX_IN_FLIGHT`, @default 256. */
  maxInFlight: number;
  /** Upstream calls one HTTP request may make, retries included. `UPSTREAM_MAX_CALLS_PER_REQUEST`, @default 100. */
  maxCallsPerRequest: number;
  /** How many times a GetClient that met `unavailable` is tried again. `UPSTREAM_RETRIES`, @default 2. */
  retries: number;
  /** `UPSTREAM_MAX_RESPONSE_BYTES`, @default 1024 * 1024. */
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
  /** These three are unset only with the development upstream, which supplies them. `AUTH_JWKS_URL`. */
  jwksUrl: string | undefined;
  /** `AUTH_ISSUER`, @default "ES256,RS256,PS256,EdDSA". */
  issuer: string | undefined;
  /** `AUTH_AUDIENCE`. */
  audience: string | undefined;
  /** `AUTH_ALGORITHMS`. */
  algorithms: string[];
  /** `AUTH_CLOCK_TOLERANCE_S`, @default 5. */
  clockToleranceSeconds: number;
  /** `AUTH_JWKS_COOLDOWN_MS`, @default 30000. */
  jwksCooldownMs: number;
  /** `AUTH_JWKS_CACHE_MAX_AGE_MS`, @default 600000. */
  jwksCacheMaxAgeMs: number;
  /** Verified tokens remembered (by hash) until they expire, at most five minutes; 0 turns it off. `AUTH_TOKEN_CACHE_SIZE`, @default 10000. */
  tokenCacheSize: number;
  /** Refuse tokens issued longer ago than this (their `iat`); unset, only `exp` limits a token's life. `AUTH_MAX_TOKEN_AGE_S`. */
  maxTokenAgeSeconds: number | undefined;
}

/** A configuration with its upstream and token issuer settled. */
export type ResolvedConfig = Config & {
  upstream: UpstreamConfig & { url: string };
  auth: AuthConfig & { jwksUrl: string; issuer: string; audience: string };
};

/**
 * Parses and validates the environment for an entry point; throws a ConfigError naming
 * every bad or missing variable. Production has no development upstream to fall back on,
 * and neither has development once UPSTREAM_URL names a real one.
 */
export function loadConfig(env: Record<string, string | undefined>, mode: Mode): Config {
  const policy = POLICIES[mode];
  const { values: e, warnings } = readVariables(env, undefined, (present, values) => {
    const problems = policy.missingUpstreamSettings(present);
    if (values && values.HTTP_HEADERS_TIMEOUT_MS > values.HTTP_RECEIVE_TIMEOUT_MS) {
      problems.push(
        "HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_RECEIVE_TIMEOUT_MS (headers are part of the request)",
      );
    }
    return problems;
  });
  return {
    mode,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    warnings,
    workers: e.WORKERS,
    tracing: tracingConfig(e),
    graphiqlToken: e.GRAPHIQL_TOKEN,
    devIssuerKeyFile: e.DEV_ISSUER_KEY_FILE,
    introspection: e.INTROSPECTION ?? policy.introspection,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS ?? policy.shutdownDelayMs,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      receiveTimeoutMs: e.HTTP_RECEIVE_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      cors: e.CORS_ORIGINS
        ? { origins: e.CORS_ORIGINS, loopback: false }
        : { origins: [], loopback: policy.loopbackOrigins },
      allowedHosts: policy.loopbackHostsOnly ? { names: e.ALLOWED_HOSTS, loopback: true } : undefined,
    },
    limits: {
      requestTimeoutMs: e.LIMIT_REQUEST_TIMEOUT_MS,
      maxDepth: e.LIMIT_MAX_DEPTH,
      maxAliases: e.LIMIT_MAX_ALIASES,
      maxTokens: e.LIMIT_MAX_TOKENS,
      maxDirectives: e.LIMIT_MAX_DIRECTIVES,
      maxCost: e.LIMIT_MAX_COST,
      maxBodyBytes: e.LIMIT_MAX_BODY_BYTES,
      maxDocumentBytes: e.LIMIT_MAX_DOCUMENT_BYTES,
      maxExpandedSelections: e.LIMIT_MAX_EXPANDED_SELECTIONS,
      maxValidationPairs: e.LIMIT_MAX_VALIDATION_PAIRS,
      maxBatch: e.LIMIT_MAX_BATCH,
      maxResponseBytes: e.LIMIT_MAX_RESPONSE_BYTES,
      maxRepresentations: e.LIMIT_MAX_REPRESENTATIONS,
      csrfPrevention: e.CSRF_PREVENTION,
    },
    upstream: {
      url: e.UPSTREAM_URL,
      wireFormat: e.UPSTREAM_WIRE_FORMAT,
      httpVersion: e.UPSTREAM_HTTP_VERSION,
      callTimeoutMs: e.UPSTREAM_CALL_TIMEOUT_MS,
      maxInFlightPerRequest: e.UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST,
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
  return orExit(() => loadConfig(process.env, mode));
}
