import { describe, expect, it } from "vitest";
import { runSoak } from "../bench/soak.js";

describe("short soak (npm run soak runs the long one)", () => {
  it("answers every request while faults are injected, under concurrent load", async () => {
    const report = await runSoak({ durationMs: 3_000, concurrency: 8 });
    expect(report.sent).toBeGreaterThan(50);
    expect(report.unanswered).toBe(0);
    expect(report.answered).toBe(report.sent);
    expect(report.faultsInjected).toBeGreaterThan(5);
    expect(report.outcomes.ok).toBeGreaterThan(0);
    expect(report.outcomes.NO_CODE).toBeUndefined();
    // Errors are typed, from the known set only.
    const known = [
      "ok",
      "BAD_USER_INPUT",
      "FORBIDDEN",
      "UNAUTHENTICATED",
      "UPSTREAM_UNAVAILABLE",
      "UPSTREAM_TIMEOUT",
      "UPSTREAM_OUTCOME_UNKNOWN",
      "RATE_LIMITED",
      "INTERNAL_SERVER_ERROR",
      "NOT_FOUND",
    ];
    expect(Object.keys(report.outcomes).filter((code) => !known.includes(code))).toEqual([]);
  });
});
