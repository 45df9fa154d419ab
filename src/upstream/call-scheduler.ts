/**
 * Upstream calls in flight, bounded for the whole process and shared fairly: each HTTP
 * request queues its calls in a lane of its own, with a bound of its own, and a freed slot
 * goes to the next lane in turn. A request fanning out a hundred calls takes one slot per
 * round like a request making one, so it cannot queue everyone else behind its fan-out.
 */

export type Lane = <T>(call: () => Promise<T>) => Promise<T>;

export interface CallScheduler {
  /** A lane for one HTTP request: at most `concurrency` of its calls in flight at once. */
  lane(concurrency: number): Lane;
}

interface LaneState {
  waiting: (() => void)[];
  running: number;
  concurrency: number;
  /** Whether the lane is in the round-robin turn order. */
  queued: boolean;
}

export function createCallScheduler(maxInFlight: number): CallScheduler {
  let inFlight = 0;
  /** Lanes with a call waiting and room to run it, in turn order. */
  const turns: LaneState[] = [];
  let head = 0;

  const canRun = (lane: LaneState) => lane.waiting.length > 0 && lane.running < lane.concurrency;
  const enqueue = (lane: LaneState) => {
    if (lane.queued || !canRun(lane)) return;
    lane.queued = true;
    turns.push(lane);
  };

  function pump() {
    while (inFlight < maxInFlight && head < turns.length) {
      const lane = turns[head++]!;
      lane.queued = false;
      const start = lane.waiting.shift()!;
      lane.running += 1;
      inFlight += 1;
      // Back of the line: one call per lane per round.
      enqueue(lane);
      start();
    }
    // Compact the turn order once its consumed head dominates it.
    if (head > 1024 && head * 2 > turns.length) {
      turns.splice(0, head);
      head = 0;
    }
  }

  return {
    lane(concurrency) {
      const lane: LaneState = { waiting: [], running: 0, concurrency, queued: false };
      const done = () => {
        lane.running -= 1;
        inFlight -= 1;
        enqueue(lane);
        pump();
      };
      return (call) =>
        new Promise((resolve, reject) => {
          lane.waiting.push(() => {
            let pending: ReturnType<typeof call>;
            try {
              pending = call();
            } catch (error) {
              pending = Promise.reject(error);
            }
            pending.then(resolve, reject).finally(done);
          });
          enqueue(lane);
          pump();
        });
    },
  };
}
