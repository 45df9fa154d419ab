import { getOperationAST, Kind, parse } from "graphql";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ExecutionHook } from "./graphql/execution-hooks.js";
import { clusterExposition, sharedWhileRunning } from "./metrics-cluster.js";

/**
 * Prometheus metrics of one facade: GraphQL operations, upstream calls and DataLoader
 * batches, plus the process's own. Served at /metrics.
 */

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/**
 * Operation names come from callers: only an authenticated caller's are recorded (anyone else's
 * count as "unauthenticated"), and past this many distinct ones, the rest count as "other". The
 * names of the trusted documents are registered at start, beyond this bound, so that callers
 * filling it cannot push them out.
 */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/**
 * Bytes the series of callers' operation names may take in the exposition, so that /metrics
 * stays under 256 kB whatever callers send: the rest of the page is bounded apart from them
 * (the fixed names' series up to ~45 kB, the upstream's codes up to ~58 kB, the process's
 * ~12 kB). Past it, a new name's series count as "other".
 */
const CALLER_SERIES_BYTES = 128 * 1024;
/** One operation series's lines: the counter's, and the histogram's buckets, +Inf, sum and count. */
const LINES_PER_SERIES = 1 + LATENCY_BUCKETS.length + 3;
/** A line's bytes besides the operation name (measured 60 to 95: the metric's name, its other labels, a value). */
const LINE_BYTES = 100;

export interface Metrics {
  registry: Registry;
  /** The exposition a scrape gets: this process's, or with WORKERS > 1 the whole group's. */
  exposition(): Promise<string>;
  observeUpstreamCall(procedure: string, code: string, seconds: number): void;
  observeBatch(size: number): void;
  /** An operation compiled by graphql-jit. */
  observeCompilation(): void;
  /** The upstream's state, as the calls callers make tell it. */
  observeUpstreamState(state: "up" | "down" | "unknown"): void;
  /** The execution hook counting and timing every executed operation. */
  operationsHook: ExecutionHook;
}

/**
 * A counter's and a histogram's series for one set of label values, each looked up once: prom-client
 * hashes a label object on every `inc` and `observe`. Every label here takes a bounded set of
 * values (operation names are bounded above), so this map is too.
 */
function seriesOf<Label extends string>(counter: Counter<Label>, histogram: Histogram<Label>) {
  const series = new Map<string, { counter: Counter.Internal; histogram: Histogram.Internal<Label> }>();
  return (...values: string[]) => {
    const key = values.join("\n");
    let found = series.get(key);
    if (!found) {
      found = { counter: counter.labels(...values), histogram: histogram.labels(...values) };
      series.set(key, found);
    }
    return found;
  };
}

/** The operation names of documents (the trusted documents' manifest). */
function operationNamesOf(documents: Iterable<string>): string[] {
  const names: string[] = [];
  for (const text of documents) {
    for (const definition of parse(text).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
    }
  }
  return names;
}

/**
 * GraphQL operations by name, type and outcome, callers' names bounded in count and in the
 * exposition's bytes (shared between `workers`), the trusted documents' names beyond the bound.
 */
function operationMetrics(registry: Registry, trustedDocuments: Iterable<string>, workers: number): ExecutionHook {
  const labelNames = ["operation", "type", "outcome"] as const;
  const operationSeries = seriesOf(
    new Counter({
      name: "graphql_operations_total",
      help: "GraphQL operations executed, by operation name, type and outcome (success, partial, error).",
      labelNames,
      registers: [registry],
    }),
    new Histogram({
      name: "graphql_operation_duration_seconds",
      help: "Time to execute a GraphQL operation, by operation name, type and outcome.",
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  );
  const trustedNames = new Set(operationNamesOf(trustedDocuments));
  const callerNames = new Set<string>();
  const callerSeries = new Set<string>();
  let callerSeriesBytes = 0;
  /** The series of an operation, its caller's name counted toward the exposition's bytes until they are spent. */
  const seriesOfOperation = (name: string, type: string, outcome: string) => {
    if (!callerNames.has(name)) return operationSeries(name, type, outcome);
    const key = `${name}\n${type}\n${outcome}`;
    if (!callerSeries.has(key)) {
      const bytes = LINES_PER_SERIES * (LINE_BYTES + name.length);
      if (callerSeriesBytes + bytes > CALLER_SERIES_BYTES / workers) return operationSeries("other", type, outcome);
      callerSeriesBytes += bytes;
      callerSeries.add(key);
    }
    return operationSeries(name, type, outcome);
  };
  const operationLabel = (name: string | undefined) => {
    if (!name) return "anonymous";
    if (trustedNames.has(name) || callerNames.has(name)) return name;
    if (!OPERATION_NAME.test(name) || callerNames.size >= MAX_OPERATION_NAMES) return "other";
    callerNames.add(name);
    return name;
  };

  return {
    onExecute({ args }) {
      const started = process.hrtime.bigint();
      const operation = getOperationAST(args.document, args.operationName);
      const name = args.contextValue.auth.authenticated ? operationLabel(operation?.name?.value) : "unauthenticated";
      const type = operation?.operation ?? "unknown";
      return {
        onExecuteDone({ result }) {
          if (!("errors" in result) && !("data" in result)) return; // a stream: not used by this schema
          // Root fields are nullable: an operation whose every one failed answers nulls, an error.
          const answered = result.data && Object.values(result.data).some((value) => value !== null);
          const outcome = !result.errors?.length ? "success" : answered ? "partial" : "error";
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const series = seriesOfOperation(name, type, outcome);
          series.counter.inc();
          series.histogram.observe(seconds);
        },
      };
    },
  };
}

/** Upstream calls by procedure and Connect code, and the upstream's state as calls tell it. */
function upstreamMetrics(registry: Registry): Pick<Metrics, "observeUpstreamCall" | "observeUpstreamState"> {
  const labelNames = ["procedure", "code"] as const;
  const upstreamSeries = seriesOf(
    new Counter({
      name: "upstream_calls_total",
      help: "Calls to the upstream ClientsService, by procedure and Connect code.",
      labelNames,
      registers: [registry],
    }),
    new Histogram({
      name: "upstream_call_duration_seconds",
      help: "Latency of upstream ClientsService calls, by procedure and Connect code.",
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  );
  const upstreamUp = new Gauge({
    name: "upstream_up",
    help: "1 when the last upstream call was answered, 0 when it could not reach the upstream or timed out; absent before any call. Readiness does not depend on it.",
    registers: [registry],
    // Across workers: 0 as soon as one of them could not reach the upstream.
    aggregator: "min",
  });
  return {
    observeUpstreamCall(procedure, code, seconds) {
      const series = upstreamSeries(procedure, code);
      series.counter.inc();
      series.histogram.observe(seconds);
    },
    observeUpstreamState(state) {
      if (state !== "unknown") upstreamUp.set(state === "up" ? 1 : 0);
    },
  };
}

/** `workers`: the processes whose metrics a scrape adds up; callers' names share the byte bound between them. */
export function createMetrics(trustedDocuments: Iterable<string> = [], workers = 1): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const batchSizes = new Histogram({
    name: "dataloader_batch_size",
    help: "Keys per DataLoader batch of GetClient lookups.",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [registry],
  });
  const compilations = new Counter({
    name: "graphql_compilations_total",
    help: "GraphQL operations compiled by graphql-jit (each at most once while its plan is cached).",
    registers: [registry],
  });
  return {
    registry,
    exposition: clusterExposition(registry) ?? sharedWhileRunning(() => registry.metrics()),
    ...upstreamMetrics(registry),
    observeBatch: (size) => batchSizes.observe(size),
    observeCompilation: () => compilations.inc(),
    operationsHook: operationMetrics(registry, trustedDocuments, workers),
  };
}
