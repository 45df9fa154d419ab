import type { DocumentNode, ExecutionResult } from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { Plugin } from "graphql-yoga";

/**
 * Execution compiled by graphql-jit: an operation of a parsed document is compiled on its
 * second use (as Mercurius's `jit: 1`), so that a caller sending distinct documents cannot make
 * the service compile each, and kept as long as the parse cache keeps the document, so no cache
 * grows with what callers send; it then runs as one generated function, with a serialiser made
 * for its answer's shape. graphql-js (Yoga's executor) still runs what jit cannot: an operation it does not
 * compile (a subscription, say), and any request error (variables that do not coerce), which
 * graphql-js words as callers and the error catalog know it.
 */

/** Compiled, not compilable (null), or the number of times it ran before being compiled. */
type Compiled = CompiledQuery | null;
const compiledByDocument = new WeakMap<DocumentNode, Map<string, Compiled | number>>();
/** Runs on graphql-js before an operation is compiled. */
const USES_BEFORE_COMPILING = 1;

function compiledFor(args: {
  schema: Parameters<typeof compileQuery>[0];
  document: DocumentNode;
  operationName?: string | null;
}): Compiled {
  let byOperation = compiledByDocument.get(args.document);
  if (!byOperation) {
    byOperation = new Map();
    compiledByDocument.set(args.document, byOperation);
  }
  const name = args.operationName ?? "";
  const known = byOperation.get(name) ?? 0;
  if (typeof known !== "number") return known;
  if (known < USES_BEFORE_COMPILING) {
    byOperation.set(name, known + 1);
    return null;
  }
  let result: CompiledQuery | ExecutionResult | undefined;
  try {
    result = compileQuery(args.schema, args.document, args.operationName ?? undefined) as
      | CompiledQuery
      | ExecutionResult;
  } catch {
    result = undefined;
  }
  const compiled = result && isCompiledQuery(result) ? result : null;
  byOperation.set(name, compiled);
  return compiled;
}

/** The answer of a request error: no data at all, only errors. */
const isRequestError = (result: ExecutionResult) => !("data" in result) || result.data === undefined;

export const useCompiledExecution: Plugin = {
  onExecute({ args, executeFn, setExecuteFn }) {
    const compiled = compiledFor(args);
    if (!compiled) return;
    setExecuteFn((executionArgs) => {
      const answer = (result: ExecutionResult) => {
        if (isRequestError(result)) return executeFn(executionArgs);
        return Object.assign(result, { stringify: compiled.stringify });
      };
      const result = compiled.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues);
      return result instanceof Promise ? result.then(answer) : answer(result);
    });
  },
};
