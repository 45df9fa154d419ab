/**
 * Whether this facade should be sent traffic: not while it drains, nor while its upstream is
 * unreachable. Answered at /readiness; a probe's answer is reused for a second, so that a
 * flood of probes is not a flood upstream.
 */

export type Readiness = { ready: true } | { ready: false; reason: "upstream_unreachable" | "shutting_down" };

export interface ReadinessState {
  check(): Promise<Readiness>;
  /** From now on: not ready, and every answer closes its connection. */
  startDraining(): void;
  readonly draining: boolean;
}

const PROBE_REUSED_MS = 1_000;

export function createReadiness(upstreamReachable: () => Promise<boolean>): ReadinessState {
  let draining = false;
  let lastProbe: { at: number; result: Promise<boolean> } | undefined;
  return {
    async check() {
      if (draining) return { ready: false, reason: "shutting_down" };
      if (!lastProbe || Date.now() - lastProbe.at > PROBE_REUSED_MS) {
        lastProbe = { at: Date.now(), result: upstreamReachable() };
      }
      return (await lastProbe.result) ? { ready: true } : { ready: false, reason: "upstream_unreachable" };
    },
    startDraining() {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
}
