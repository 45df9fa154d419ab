import type { Config, ResolvedConfig } from "./config.js";
import { ConfigError, UPSTREAM_VARIABLES, type UpstreamSettings } from "./variables.js";

/**
 * The upstream a facade uses, settled: the one configured, or the development upstream the
 * development entry started; and the environment that hands those settings to a worker or
 * another process.
 */

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
