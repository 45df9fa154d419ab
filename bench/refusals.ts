/**
 * How long the facade takes to refuse hostile documents, one at a time: fragment DAGs of
 * growing depth (each level adds one short line and doubles the expansion; 180 levels stay
 * under LIMIT_MAX_TOKENS), a document padded to just under LIMIT_MAX_DOCUMENT_BYTES, and a
 * body padded to just under LIMIT_MAX_BODY_BYTES.
 * Linear walks show as times that follow the document's bytes, not its expansion.
 */

import { quantile } from "./report.js";

export interface RefusalTiming {
  shape: string;
  bytes: number;
  /** What the caller was told: the limit named, or "answered". */
  outcome: string;
  p50Ms: number;
  maxMs: number;
}

function fragmentDag(depth: number): string {
  const levels = Array.from({ length: depth }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query Q { ...F0 } ${levels.join(" ")} fragment F${depth} on Query { __typename }`;
}

const SHAPES: [string, string][] = [
  ...[10, 40, 100, 180].map((depth): [string, string] => [
    `fragment DAG, depth ${depth} (2^${depth} expanded)`,
    fragmentDag(depth),
  ]),
  ["16 KB of whitespace around { __typename }", `query Q { __typename }${" ".repeat(16_000)}`],
  ["250 KB of whitespace around { __typename }", `query Q { __typename }${" ".repeat(250_000)}`],
];

export async function timeRefusals(graphqlUrl: string, samples: number): Promise<RefusalTiming[]> {
  const timings: RefusalTiming[] = [];
  for (const [shape, query] of SHAPES) {
    const body = JSON.stringify({ query });
    const times: number[] = [];
    let outcome = "";
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const answer = (await (
        await fetch(graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body })
      ).json()) as { errors?: { extensions?: { limit?: string; code?: string } }[] };
      times.push(performance.now() - started);
      const error = answer.errors?.[0]?.extensions;
      outcome = error ? (error.limit ?? error.code ?? "error") : "answered";
    }
    const round = (ms: number) => Math.round(ms * 100) / 100;
    timings.push({
      shape,
      bytes: Buffer.byteLength(query),
      outcome,
      p50Ms: round(quantile(times, 0.5)),
      maxMs: round(Math.max(...times)),
    });
  }
  return timings;
}
