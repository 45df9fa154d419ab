import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/**
 * With WORKERS > 1, a scrape of any worker answers for every worker, as one process would: the
 * worker asks the primary, which gathers each worker's registry and adds them up with
 * prom-client's AggregatorRegistry (counters and histograms summed, gauges by their own
 * aggregator). Kept apart from metrics.ts so that the primary loads prom-client alone.
 */

const ASK = "oauth-clients-graph:cluster-metrics";
const ANSWER = "oauth-clients-graph:cluster-metrics-answer";
/** prom-client gives up on a worker after 5 s; the asking worker waits a little longer. */
const ANSWER_TIMEOUT_MS = 6_000;

interface Ask {
  type: typeof ASK;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** `produce` run once at a time: whoever asks while it runs shares its answer. */
export function sharedWhileRunning(produce: () => Promise<string>): () => Promise<string> {
  let running: Promise<string> | undefined;
  return () => {
    running ??= produce().finally(() => {
      running = undefined;
    });
    return running;
  };
}

/** In the primary: answers the workers' asks with the whole group's exposition. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  // A flood of scrapes costs the primary (which also hands out connections) one gathering at a time.
  const gather = sharedWhileRunning(() => aggregator.clusterMetrics());
  cluster.on("message", (worker, message: Partial<Ask>) => {
    if (message?.type !== ASK) return;
    const reply = (answer: Omit<Answer, "type" | "id">) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer });
    };
    gather().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

/**
 * In a worker: offers `registry` to the primary's gathering, and returns how to get the whole
 * group's exposition. Outside a cluster: undefined (the registry is the whole story).
 */
export function clusterExposition(registry: Registry): (() => Promise<string>) | undefined {
  if (!cluster.isWorker) return undefined;
  // Constructing one adds prom-client's listener that answers the primary's gathering.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  process.on("message", (message: Partial<Answer>) => {
    if (message?.type !== ANSWER || message.id === undefined) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.text !== undefined) waiting?.resolve(message.text);
    else waiting?.reject(new Error(message.error ?? "no metrics"));
  });
  const ask = () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary did not answer with the cluster's metrics"));
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, {
        resolve(text) {
          clearTimeout(timer);
          resolve(text);
        },
        reject(error) {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send!({ type: ASK, id } satisfies Ask);
    });
  // Scrapes of this worker that arrive together share one ask.
  return sharedWhileRunning(ask);
}
