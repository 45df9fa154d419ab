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
  maxInFlight: number;
  maxResponseBytes: number;
  timeoutMs: number;
}

export class RequestBudget {
  /** Epoch milliseconds by which the request must be answered; upstream calls get what is left. */
  readonly deadline: number;
  /** Runs one upstream call in this request's lane of the process-wide scheduler. */
  readonly schedule: Lane;
  private cost = 0;
  private representations = 0;
  private upstreamCalls = 0;
  private responseBytes = 0;
  private readonly rotations = new Set<string>();

  constructor(
    private readonly limits: BudgetLimits,
    scheduler: CallScheduler,
  ) {
    this.deadline = Date.now() + limits.timeoutMs;
    this.schedule = scheduler.lane(limits.maxInFlight);
  }

  /** Charges an operation before it runs; the refusal when the request's total would exceed a bound. */
  chargeOperation(cost: number, representations: number): GraphQLError | undefined {
    const { maxCost, maxRepresentations } = this.limits;
    if (this.representations + representations > maxRepresentations) {
      return limitExceeded(
        "representations",
        `At most ${maxRepresentations} _entities representations per request, found ${this.representations + representations}.`,
      );
    }
    if (this.cost + cost > maxCost) {
      const batch = this.cost > 0 ? ` (${this.cost} already spent by this request's other operations)` : "";
      return limitExceeded("cost", `Query cost limit of ${maxCost} exceeded, estimated ${this.cost + cost}${batch}.`);
    }
    this.cost += cost;
    this.representations += representations;
    return undefined;
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

  /** Counts an answer's bytes; the refusal when the request's answers together would exceed the bound. */
  chargeAnswer(bytes: number): GraphQLError | undefined {
    const { maxResponseBytes } = this.limits;
    if (this.responseBytes + bytes > maxResponseBytes) {
      return limitExceeded(
        "response_size",
        `The answer would be ${this.responseBytes + bytes} bytes; at most ${maxResponseBytes} are sent.`,
      );
    }
    this.responseBytes += bytes;
    return undefined;
  }

  /** Claims the one rotation of each client's secret this request may make; the refusal when one is claimed twice. */
  claimRotations(clientIds: readonly string[]): GraphQLError | undefined {
    const claimed = new Set(this.rotations);
    for (const clientId of clientIds) {
      if (claimed.has(clientId)) return duplicateRotation(clientId);
      claimed.add(clientId);
    }
    for (const clientId of clientIds) this.rotations.add(clientId);
    return undefined;
  }
}

/** One budget per HTTP request, found again by every operation of its batch. */
export function createBudgets(limits: BudgetLimits, scheduler: CallScheduler) {
  const budgets = new WeakMap<Request, RequestBudget>();
  return (request: Request): RequestBudget => {
    let budget = budgets.get(request);
    if (!budget) {
      budget = new RequestBudget(limits, scheduler);
      budgets.set(request, budget);
    }
    return budget;
  };
}
