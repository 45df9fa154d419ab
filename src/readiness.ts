import type { Logger } from "./logger.js";

/**
 * Whether this process should be sent traffic, as Kubernetes means readiness: it has started,
 * it holds the issuer's keys to verify tokens, and it is not draining. The upstream's health is
 * not part of it: an upstream outage would make every replica unready at once, and callers would
 * meet refused connections instead of this service's typed `UPSTREAM_UNAVAILABLE`; nor is any
 * procedure called to find out (docs/operations.md). What the calls callers make tell of the
 * upstream is in the answer's detail, and in the metrics.
 */

type UpstreamState = "up" | "down" | "unknown";

export type Readiness =
  | { ready: true; upstream: UpstreamState }
  | { ready: false; reason: "keys_unavailable" | "shutting_down"; upstream: UpstreamState };

export interface ReadinessState {
  check(): Promise<Readiness>;
  /** From now on: not ready, and every answer closes its connection. */
  startDraining(): void;
  readonly draining: boolean;
  /** Told of every upstream call's Connect code ("ok" on success). */
  observeUpstream(code: string): void;
}

export interface ReadinessParts {
  /** Whether the keys to verify tokens are at hand (fetched once, then kept). */
  keysAtHand(): Promise<boolean>;
  logger: Logger;
  /** Told of each change of the upstream's state (a gauge). */
  onUpstreamState?(state: UpstreamState): void;
}

/** A failed fetch of the keys is tried again at most this often, however many probes come. */
const KEYS_RETRY_MS = 1_000;
/** Connect codes that say the upstream could not be reached or did not answer in time. */
const UNREACHABLE = new Set(["unavailable", "deadline_exceeded"]);

export function createReadiness({ keysAtHand, logger, onUpstreamState }: ReadinessParts): ReadinessState {
  let draining = false;
  let upstream: UpstreamState = "unknown";
  let keys: { at: number; result: Promise<boolean> } | undefined;
  let lastReady: boolean | undefined;

  /** Logged once per change, as an expected condition: no stack. */
  const report = (state: Readiness) => {
    if (state.ready === lastReady) return;
    lastReady = state.ready;
    if (state.ready) logger.info("ready");
    else logger.warn({ reason: state.reason }, "not ready");
  };

  return {
    async check() {
      if (draining) return { ready: false, reason: "shutting_down", upstream };
      if (!keys || (Date.now() - keys.at > KEYS_RETRY_MS && !(await keys.result))) {
        keys = { at: Date.now(), result: keysAtHand() };
      }
      const state: Readiness = (await keys.result)
        ? { ready: true, upstream }
        : { ready: false, reason: "keys_unavailable", upstream };
      report(state);
      return state;
    },
    startDraining() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    observeUpstream(code) {
      const state = UNREACHABLE.has(code) ? "down" : "up";
      if (state === upstream) return;
      const was = upstream;
      upstream = state;
      onUpstreamState?.(state);
      if (state === "down") logger.warn({ code }, "upstream unreachable: callers are answered UPSTREAM_UNAVAILABLE");
      else if (was === "down") logger.info("upstream reachable again");
    },
  };
}
