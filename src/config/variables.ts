import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * Every environment variable the service reads, with its type, bounds and default: the one
 * place a variable is named. Variables are read from the environment once, at start, by
 * whichever entry or tool needs them, each reading only those it uses.
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

export const envSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(4000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  INTROSPECTION: boolean.optional(),
  SHUTDOWN_TIMEOUT_MS: positiveInt.max(600_000).default(10_000),
  SHUTDOWN_DELAY_MS: nonNegativeInt.max(120_000).optional(),
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  HTTP_RECEIVE_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
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
  LIMIT_MAX_VALIDATION_PAIRS: positiveInt.max(100_000_000).default(40_000),
  LIMIT_MAX_BATCH: nonNegativeInt.max(1_000).default(10),
  LIMIT_MAX_RESPONSE_BYTES: positiveInt.max(256 * 1024 * 1024).default(1024 * 1024),
  LIMIT_MAX_REPRESENTATIONS: positiveInt.max(10_000).default(100),
  CSRF_PREVENTION: boolean.default(true),
  UPSTREAM_URL: httpUrl.optional(),
  UPSTREAM_WIRE_FORMAT: z.enum(["json", "binary"]).default("json"),
  UPSTREAM_HTTP_VERSION: z.enum(["1.1", "2"]).default("1.1"),
  UPSTREAM_CALL_TIMEOUT_MS: positiveInt.max(120_000).default(5_000),
  UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST: positiveInt.max(1_000).default(10),
  UPSTREAM_MAX_IN_FLIGHT: positiveInt.max(10_000).default(256),
  UPSTREAM_MAX_CALLS_PER_REQUEST: positiveInt.max(100_000).default(100),
  UPSTREAM_RETRIES: nonNegativeInt.max(10).default(2),
  UPSTREAM_MAX_RESPONSE_BYTES: positiveInt.max(64 * 1024 * 1024).default(1024 * 1024),
  LIMIT_REQUEST_TIMEOUT_MS: positiveInt.max(300_000).default(10_000),
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
  TRUSTED_DOCUMENTS_ONLY: boolean.default(false),
  DEV_ISSUER_KEY_FILE: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL("../../.dev/issuer-keys.json", import.meta.url))),
});

export type Env = z.infer<typeof envSchema>;
type Name = keyof Env;

/** Names operators have deployed, still read for one release, with a warning naming the new one. */
const RENAMED: Readonly<Record<string, Name>> = {
  HTTP_REQUEST_TIMEOUT_MS: "HTTP_RECEIVE_TIMEOUT_MS",
  REQUEST_TIMEOUT_MS: "LIMIT_REQUEST_TIMEOUT_MS",
  UPSTREAM_TIMEOUT_MS: "UPSTREAM_CALL_TIMEOUT_MS",
  UPSTREAM_MAX_CONCURRENCY: "UPSTREAM_MAX_IN_FLIGHT_PER_REQUEST",
  MAX_ENTITY_REPRESENTATIONS: "LIMIT_MAX_REPRESENTATIONS",
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface Variables<K extends Name> {
  values: Pick<Env, K>;
  /** The variables as given, empty ones dropped (an empty variable means "not set"). */
  present: Record<string, string>;
  /** One line for each old name used. */
  warnings: string[];
}

/**
 * Reads the named variables (every one when no names are given), old names included; throws
 * a ConfigError naming every bad value, and every problem `extra` finds in what is present.
 */
export function readVariables<K extends Name = Name>(
  env: Record<string, string | undefined>,
  names?: readonly K[],
  extra: (present: Record<string, string>, values: Pick<Env, K> | undefined) => string[] = () => [],
): Variables<K> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== "") present[name] = value;
  const warnings: string[] = [];
  for (const [old, current] of Object.entries(RENAMED)) {
    if (present[old] === undefined) continue;
    warnings.push(
      present[current] === undefined
        ? `${old} is renamed ${current}; the old name is read for one more release`
        : `${old} is ignored: ${current} is set too`,
    );
    present[current] ??= present[old];
  }
  const schema = names ? envSchema.pick(Object.fromEntries(names.map((name) => [name, true])) as never) : envSchema;
  const parsed = schema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = present[name];
        return `${name}${value === undefined ? "" : `=${JSON.stringify(value)}`}: ${issue.message}`;
      });
  const values = parsed.success ? (parsed.data as Pick<Env, K>) : undefined;
  problems.push(...extra(present, values));
  if (!values || problems.length > 0) throw new ConfigError(problems);
  return { values, present, warnings };
}

/** For entry points and tools: what `read` makes, or the reasons the configuration is bad on stderr and exit code 1. */
export function orExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** What a facade needs to use an upstream: where it is and how to verify the tokens it accepts. */
export interface UpstreamSettings {
  url: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** The variables that carry UpstreamSettings: required in production. */
export const UPSTREAM_VARIABLES = {
  url: "UPSTREAM_URL",
  jwksUrl: "AUTH_JWKS_URL",
  issuer: "AUTH_ISSUER",
  audience: "AUTH_AUDIENCE",
} as const satisfies Record<keyof UpstreamSettings, string>;
