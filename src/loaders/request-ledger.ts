import type { GraphQLError } from "graphql";
import { duplicateRotation, limitExceeded, limitReached } from "../errors.js";
import type { CallScheduler, Lane } from "../upstream/call-scheduler.js";

/**
 * What one HTTP request may spend, shared by every operation of a batch: estimated cost,
 * `_entities` representations, upstream calls (retries included), calls in flight, time,
 * answer bytes and secret rotations. A batch of ten operations gets one budget, not ten.
 */

export interface BudgetLimits {
  maxCost: number;
  maxRepresentations: number;
  maxUpstreamCalls: number;
  /** Upstream calls of this request in flight at once. */
  maxInFlightPerRequest: number;
  maxResponseBytes: number;
  timeoutMs: number;
}

/** What an operation asks of its request's budget, known before it runs. */
export interface OperationCharge {
  cost: number;
  representations: number;
  /** The clients whose secret it replaces: one RegenerateSecret call each, never retried. */
  rotations: readonly string[];
}

export class RequestLedger {
  /** Epoch milliseconds by which the request must be answered; upstream calls get what is left. */
  readonly deadline: number;
  /** Runs one upstream call in this request's lane of the process-wide scheduler. */
  readonly schedule: Lane;
  private cost = 0;
  private representations = 0;
  private upstreamCalls = 0;
  private responseBytes = 0;
  private rotations: ReadonlySet<string> = new Set<string>();

  constructor(
    private readonly limits: BudgetLimits,
    scheduler: CallScheduler,
  ) {
    this.deadline = Date.now() + limits.timeoutMs;
    this.schedule = scheduler.lane(limits.maxInFlightPerRequest);
  }

  /**
   * Admits an operation before it runs, or refuses it: every bound is checked first and only
   * an admitted operation is charged, so a refusal spends nothing. Its rotations are claimed
   * (each client once per request) and their upstream calls reserved here, so that no bound
   * can stop a rotation once the first of the request has been made.
   */
  admit(charge: OperationCharge): GraphQLError | undefined {
    const { maxCost, maxRepresentations, maxUpstreamCalls } = this.limits;
    const representations = this.representations + charge.representations;
    if (representations > maxRepresentations) {
      return limitExceeded(
        "representations",
        `At most ${maxRepresentations} _entities representations per request, found ${representations}.`,
      );
    }
    const cost = this.cost + charge.cost;
    if (cost > maxCost) {
      const batch = this.cost > 0 ? ` (${this.cost} already spent by this request's other operations)` : "";
      return limitExceeded("cost", `Query cost limit of ${maxCost} exceeded, estimated ${cost}${batch}.`);
    }
    const claimed = new Set(this.rotations);
    for (const clientId of charge.rotations) {
      if (claimed.has(clientId)) return duplicateRotation(clientId);
      claimed.add(clientId);
    }
    const upstreamCalls = this.upstreamCalls + charge.rotations.length;
    if (upstreamCalls > maxUpstreamCalls) {
      return limitExceeded(
        "upstream_calls",
        `At most ${maxUpstreamCalls} upstream calls per request; replacing ${charge.rotations.length} secrets needs ${upstreamCalls}.`,
      );
    }
    this.cost = cost;
    this.representations = representations;
    this.rotations = claimed;
    this.upstreamCalls = upstreamCalls;
    return undefined;
  }

  /** Whether an admitted operation of this request replaces this client's secret. */
  rotates(clientId: string): boolean {
    return this.rotations.has(clientId);
  }

  /** Takes one upstream call, or throws once the request has made as many as it may. */
  readonly takeUpstreamCall = (): void => {
    if (this.upstreamCalls >= this.limits.maxUpstreamCalls) {
      throw limitReached(
        "upstream_calls",
        `At most ${this.limits.maxUpstreamCalls} upstream calls per request; this one was not made.`,
      );
    }
    this.upstreamCalls += 1;
  };

  /**
   * Counts an answer's bytes; the refusal when the request's answers together would exceed the
   * bound. An answer that must be sent (it carries new secrets) is counted and never refused.
   */
  chargeAnswer(bytes: number, mustSend = false): GraphQLError | undefined {
    const { maxResponseBytes } = this.limits;
    if (!mustSend && this.responseBytes + bytes > maxResponseBytes) {
      return limitExceeded(
        "response_size",
        `The answer would be ${this.responseBytes + bytes} bytes; at most ${maxResponseBytes} are sent.`,
      );
    }
    this.responseBytes += bytes;
    return undefined;
  }
}
