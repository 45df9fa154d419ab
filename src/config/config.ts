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
  headersTimeoutMs: number;
  /** The whole HTTP request, headers and body, must arrive within this. */
  receiveTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Open connections at most; past it, idle keep-alive connections are closed first, then new ones refused. */
  maxConnections: number;
  /** Origins whose pages may read responses (CORS); `loopback` adds any http://localhost or 127.0.0.1 port. */
  cors: { origins: string[]; loopback: boolean };
  /** Host headers answered; undefined answers any (production sits behind a load balancer). */
  allowedHosts: { names: string[]; loopback: true } | undefined;
}

/** Bounds on what one HTTP request (a batch's operations together, or one operation where said) may ask of the service. */
export interface LimitsConfig {
  /** The time budget of one HTTP request's answer, shared by every upstream call it makes. */
  requestTimeoutMs: number;
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
  /** Field pairs graphql-js's validation may compare for one HTTP request (its documents together). */
  maxValidationPairs: number;
  /** Operations in one batched request; 0 turns batching off. */
  maxBatch: number;
  /** A serialised GraphQL answer larger than this is replaced by a typed error. */
  maxResponseBytes: number;
  /** `_entities` representations in one request: each may cost an upstream call. */
  maxRepresentations: number;
  /** Requires a non-simple request (JSON body or a custom header), so browsers cannot be tricked into sending one. */
  csrfPrevention: boolean;
}

export interface UpstreamConfig {
  /** Unset: the bundled development upstream is started in-process. */
  url: string | undefined;
  wireFormat: "json" | "binary";
  httpVersion: "1.1" | "2";
  /** How long one upstream call may take (less when the request's budget has less left). */
  callTimeoutMs: number;
  /** Upper bound on the upstream calls of one HTTP request (a whole batch) in flight at once. */
  maxInFlightPerRequest: number;
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
