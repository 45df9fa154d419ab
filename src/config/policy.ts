import { UPSTREAM_VARIABLES } from "./variables.js";

/**
 * What differs between the two entry points where a variable is not set: production (the
 * bundle, against a configured upstream) and development (`npm start`, with the development
 * upstream unless one is configured).
 */
export type Mode = "production" | "development";

interface Policy {
  /** A schema is a map for attackers: shown by default only where people explore it. */
  introspection: boolean;
  /** Long enough for a Kubernetes endpoint removal to reach the load balancers; nothing to wait for in development. */
  shutdownDelayMs: number;
  /** Pages on any http://localhost port may read answers (CORS) when no origin is listed. */
  loopbackOrigins: boolean;
  /** Only loopback and listed Host names are answered, so that a rebound DNS name cannot reach the service. */
  loopbackHostsOnly: boolean;
  /** The upstream settings that are missing, each a problem line. */
  missingUpstreamSettings(present: Record<string, string>): string[];
}

const missing = (present: Record<string, string>, why: string) =>
  Object.values(UPSTREAM_VARIABLES)
    .filter((name) => present[name] === undefined)
    .map((name) => `${name}: ${why}`);

export const POLICIES: Readonly<Record<Mode, Policy>> = {
  production: {
    introspection: false,
    shutdownDelayMs: 5_000,
    loopbackOrigins: false,
    loopbackHostsOnly: false,
    // Production has no development upstream to fall back on.
    missingUpstreamSettings: (present) => missing(present, "is required in production"),
  },
  development: {
    introspection: true,
    shutdownDelayMs: 0,
    loopbackOrigins: true,
    loopbackHostsOnly: true,
    // Neither has development, once UPSTREAM_URL names a real upstream.
    missingUpstreamSettings: (present) =>
      present.UPSTREAM_URL === undefined ? [] : missing(present, "is required when UPSTREAM_URL is set"),
  },
};
