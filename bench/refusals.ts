/**
 * What hostile requests cost the facade, one at a time: fragment DAGs of growing depth (each
 * level adds one short line and doubles the expansion; 180 levels stay under
 * LIMIT_MAX_TOKENS), a document padded to just under LIMIT_MAX_DOCUMENT_BYTES, a body padded
 * to just under LIMIT_MAX_BODY_BYTES, and the shapes of "Hostile callers, round three":
 * documents whose validation is quadratic, many-operation documents sent as batches (with and
 * without a token), odd batch members. Each is timed and its CPU in the facade's process counted
 * (target: no request takes more than 100 ms of it). Linear walks show as times that follow the
 * document's bytes, not its expansion.
 */

import { cyclingFixtureClientId } from "../src/dev-upstream/seed.js";
import { cpuTimeMs } from "./processes.js";
import { quantile } from "./report.js";

export interface RefusalTiming {
  shape: string;
  bytes: number;
  /** What the caller was told (of the last member, for a batch): the limit named, a code, or "answered". */
  outcome: string;
  p50Ms: number;
  maxMs: number;
  /** The facade process's CPU per request, in ms (/proc counts in 10 ms ticks: averaged over the samples). */
  cpuMsPerRequest: number;
}

function fragmentDag(depth: number): string {
  const levels = Array.from({ length: depth }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query Q { ...F0 } ${levels.join(" ")} fragment F${depth} on Query { __typename }`;
}

const FIELDS = `id name description redirectUri websiteUrl logoUrl supportsRefreshToken supportsImplicitGrant
  supportsDeviceCodeGrant supportsCodeGrant isVerified applicationId usesManagedBuckets allowedDelegators
  backchannelLogoutUri backchannelLogoutSessionRequired frontchannelLogoutUri frontchannelLogoutSessionRequired
  postLogoutRedirectUris createdAt updatedAt applicationBindings { applicationId }`;

/** 150 operations of 60 aliased reads of a 22-field fragment, distinct by `tag`: 5 KB. */
function manyOperations(tag: number): string {
  const reads = Array.from({ length: 60 }, (_, i) => `a${i}: oauthClient(id: "${cyclingFixtureClientId(i)}") { ...C }`);
  const operations = Array.from({ length: 150 }, (_, k) => `query Q${k} { ...R }`);
  return `# ${tag}\n${operations.join(" ")} fragment R on Query { ${reads.join(" ")} } fragment C on OAuthClient { ${FIELDS} }`;
}

/** Fifty required variables, none of them given: each an error of coercion. */
const missingVariables = {
  definitions: Array.from({ length: 50 }, (_, i) => `$v${i}: Boolean!`).join(", "),
  uses: Array.from({ length: 50 }, (_, i) => `a${i}: __typename @include(if: $v${i})`).join(" "),
};

/** Each an error of validation, located by scanning the lines before it. */
const unknownFields = Array.from({ length: 101 }, (_, i) => `f${i}xyzq`).join(" ");

const repeated = (n: number, selection: string) => Array.from({ length: n }, () => selection).join(" ");

/** A request: its body for one sample (distinct per sample where the shape needs it), and whether it carries the token. */
interface Shape {
  name: string;
  body: (sample: number) => unknown;
  token?: boolean;
}

const SHAPES: Shape[] = [
  ...[10, 40, 100, 180].map((depth) => ({
    name: `fragment DAG, depth ${depth} (2^${depth} expanded)`,
    body: () => ({ query: fragmentDag(depth) }),
  })),
  {
    name: "16 KB of whitespace around { __typename }",
    body: () => ({ query: `query Q { __typename }${" ".repeat(16_000)}` }),
  },
  {
    name: "250 KB of whitespace around { __typename }",
    body: () => ({ query: `query Q { __typename }${" ".repeat(250_000)}` }),
  },
  {
    name: "498 × _entities { __typename }, distinct each time",
    body: (sample) => ({ query: `# ${sample}\n{ ${repeated(498, "_entities { __typename }")} }` }),
  },
  {
    name: "a batch of 10 distinct documents of 141 × __typename",
    body: (sample) =>
      Array.from({ length: 10 }, (_, k) => ({ query: `# ${sample} ${k}\n{ ${repeated(141, "__typename")} }` })),
  },
  ...[false, true].map((token) => ({
    name: `150-operation document, as a batch of 10 operations (its second use${token ? ", with a token" : ""})`,
    body: (sample: number) =>
      Array.from({ length: 10 }, (_, k) => ({ query: manyOperations(Math.floor(sample / 2)), operationName: `Q${k}` })),
    token,
  })),
  { name: "a batch of 10 nulls", body: () => Array(10).fill(null) },
  {
    name: "a batch of 10 documents of 50 variables not given after 998 newlines",
    body: (sample) =>
      Array.from({ length: 10 }, (_, k) => ({
        query: `${"\n".repeat(998)}query Q(${missingVariables.definitions}) { ${missingVariables.uses} } # ${sample} ${k}`,
      })),
  },
  {
    name: "101 unknown fields after 15000 newlines",
    body: (sample) => ({ query: `${"\n".repeat(15_000)}{ oauthClient(id: "x") { ${unknownFields} } } # ${sample}` }),
  },
  {
    name: "a batch of 8 documents of 101 unknown fields after 990 newlines",
    body: (sample) =>
      Array.from({ length: 8 }, (_, k) => ({
        query: `${"\n".repeat(990)}${" ".repeat(14_000)}{ oauthClient(id: "x") { ${unknownFields} } } # ${sample} ${k}`,
      })),
  },
];

export async function timeRefusals(
  graphqlUrl: string,
  facadePid: number,
  token: string,
  samples: number,
): Promise<RefusalTiming[]> {
  const timings: RefusalTiming[] = [];
  for (const shape of SHAPES) {
    const times: number[] = [];
    let outcome = "";
    let bytes = 0;
    const cpuBefore = cpuTimeMs(facadePid);
    for (let sample = 0; sample < samples; sample++) {
      const body = JSON.stringify(shape.body(sample));
      bytes = Buffer.byteLength(body);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (shape.token) headers.authorization = `Bearer ${token}`;
      const started = performance.now();
      const answer = (await (await fetch(graphqlUrl, { method: "POST", headers, body })).json()) as Answer | Answer[];
      times.push(performance.now() - started);
      const last = Array.isArray(answer) ? answer[answer.length - 1] : answer;
      const error = last?.errors?.[0]?.extensions;
      outcome = error ? (error.limit ?? error.code ?? "error") : "answered";
    }
    const round = (ms: number) => Math.round(ms * 100) / 100;
    timings.push({
      shape: shape.name,
      bytes,
      outcome,
      p50Ms: round(quantile(times, 0.5)),
      maxMs: round(Math.max(...times)),
      cpuMsPerRequest: round((cpuTimeMs(facadePid) - cpuBefore) / samples),
    });
  }
  return timings;
}

interface Answer {
  errors?: { extensions?: { limit?: string; code?: string } }[];
}
