import { z } from "zod";

/**
 * The service's whole configuration, read from the environment once at start.
 * Every other module receives the parts it needs; nothing else reads process.env.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(4000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  UPSTREAM_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .optional()
    .describe("unset: start the bundled development upstream in-process"),
  UPSTREAM_WIRE_FORMAT: z.enum(["json", "binary"]).default("json"),
  UPSTREAM_HTTP_VERSION: z.enum(["1.1", "2"]).default("1.1"),
  UPSTREAM_TIMEOUT_MS: positiveInt.max(120_000).default(5_000),
  UPSTREAM_MAX_CONCURRENCY: positiveInt.max(1_000).default(10),
});

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  upstream: UpstreamConfig;
}

export interface UpstreamConfig {
  /** Absent when the bundled development upstream is to be started in-process. */
  url: string | undefined;
  wireFormat: "json" | "binary";
  httpVersion: "1.1" | "2";
  timeoutMs: number;
  /** Upper bound on concurrent GetClient calls made for one GraphQL request. */
  maxConcurrency: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", so `FOO= npm start` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join(".");
        return `${name}=${JSON.stringify(present[name])}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    upstream: {
      url: e.UPSTREAM_URL,
      wireFormat: e.UPSTREAM_WIRE_FORMAT,
      httpVersion: e.UPSTREAM_HTTP_VERSION,
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      maxConcurrency: e.UPSTREAM_MAX_CONCURRENCY,
    },
  };
}
