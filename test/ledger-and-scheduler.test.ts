import { describe, expect, it } from "vitest";
import { RequestLedger } from "../src/loaders/request-ledger.js";
import { createCallScheduler } from "../src/upstream/call-scheduler.js";

/** The pure parts under the HTTP tests, fast on their own: the request's ledger and the call scheduler. */

const LIMITS = {
  maxCost: 100,
  maxRepresentations: 10,
  maxUpstreamCalls: 3,
  maxInFlightPerRequest: 2,
  maxResponseBytes: 1_000,
  timeoutMs: 10_000,
};
const ledger = () => new RequestLedger(LIMITS, createCallScheduler(10));
const code = (error: { extensions: Record<string, unknown> } | undefined) =>
  error && [error.extensions.code, error.extensions.limit].filter(Boolean).join(":");

describe("the request's ledger", () => {
  it("admits what fits, and a refusal charges nothing", () => {
    const spent = ledger();
    expect(spent.admit({ cost: 60, representations: 4, rotations: [] })).toBeUndefined();
    expect(code(spent.admit({ cost: 50, representations: 0, rotations: [] }))).toBe("QUERY_LIMIT_EXCEEDED:cost");
    expect(spent.admit({ cost: 40, representations: 6, rotations: [] })).toBeUndefined();
    expect(code(spent.admit({ cost: 0, representations: 1, rotations: [] }))).toBe(
      "QUERY_LIMIT_EXCEEDED:representations",
    );
  });

  it("claims each client's rotation once per request and reserves its call", () => {
    const spent = ledger();
    expect(spent.admit({ cost: 10, representations: 0, rotations: ["a", "b"] })).toBeUndefined();
    expect(spent.rotates("a")).toBe(true);
    expect(spent.rotates("c")).toBe(false);
    expect(code(spent.admit({ cost: 10, representations: 0, rotations: ["a"] }))).toBe("DUPLICATE_ROTATION");
    // Two calls reserved of three: one more rotation fits, a second does not.
    expect(code(spent.admit({ cost: 10, representations: 0, rotations: ["c", "d"] }))).toBe(
      "QUERY_LIMIT_EXCEEDED:upstream_calls",
    );
    expect(spent.rotates("c")).toBe(false);
    spent.takeUpstreamCall();
    expect(() => spent.takeUpstreamCall()).toThrow(/upstream calls per request/);
  });

  it("bounds the answers' bytes together, and always sends an answer that must be sent", () => {
    const spent = ledger();
    expect(spent.chargeAnswer(600)).toBeUndefined();
    expect(code(spent.chargeAnswer(600))).toBe("QUERY_LIMIT_EXCEEDED:response_size");
    expect(spent.chargeAnswer(600, true)).toBeUndefined();
    expect(code(spent.chargeAnswer(1))).toBe("QUERY_LIMIT_EXCEEDED:response_size");
  });
});

describe("the call scheduler", () => {
  /** A call that stays in flight until released. */
  const held = () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    return { release, call: () => done };
  };

  it("bounds a lane by its concurrency and the process by its bound, and shares freed slots in turn", async () => {
    const scheduler = createCallScheduler(2);
    const started: string[] = [];
    const wide = scheduler.lane(5);
    const narrow = scheduler.lane(1);
    const calls = Array.from({ length: 4 }, () => held());
    const wideRuns = calls.map((held, i) =>
      wide(() => {
        started.push(`wide ${i}`);
        return held.call();
      }),
    );
    const single = held();
    const narrowRun = narrow(() => {
      started.push("narrow");
      return single.call();
    });
    // The process's two slots: both to the wide lane, which asked first.
    expect(started).toEqual(["wide 0", "wide 1"]);
    // A freed slot goes to the lane first in line (the wide one was, before the narrow one asked)...
    calls[0]!.release();
    await wideRuns[0];
    await expect.poll(() => started).toEqual(["wide 0", "wide 1", "wide 2"]);
    // ...which then goes to the back of the line: the next freed slot is the narrow lane's.
    calls[1]!.release();
    await wideRuns[1];
    await expect.poll(() => started).toEqual(["wide 0", "wide 1", "wide 2", "narrow"]);
    single.release();
    await narrowRun;
    for (const { release } of calls) release();
    await Promise.all(wideRuns);
    expect(started).toContain("wide 3");
  });

  it("frees the slot of a call that throws at once", async () => {
    const lane = createCallScheduler(1).lane(1);
    await expect(
      lane(() => {
        throw new Error("at once");
      }),
    ).rejects.toThrow("at once");
    await expect(lane(async () => "next")).resolves.toBe("next");
  });
});
