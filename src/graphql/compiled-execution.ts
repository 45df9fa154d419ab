import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type Source,
  type SourceLocation,
} from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import { allowsEverything } from "../permissions/verdict.js";
import { operationShape } from "../schema/selections.js";
import type { ExecutionHook } from "./execution-hooks.js";

/**
 * Execution compiled by graphql-jit: an operation of a parsed document is compiled on its
 * second use (as Mercurius's `jit: 1`), so that a caller sending distinct documents cannot make
 * the service compile each, and kept as long as the parse cache keeps the document, so no cache
 * grows with what callers send; it then runs as one generated function, with a serialiser made
 * for its answer's shape. graphql-js (Yoga's executor) still runs what jit cannot: an operation it does not
 * compile (a subscription, say), and any request error (variables that do not coerce), which
 * graphql-js words as callers and the error catalog know it.
 *
 * An operation whose every reachable field the caller may resolve (the permission verdict)
 * runs on the schema without shield's per-field wrappers, which would only say yes; any other
 * runs on the shielded schema Yoga serves, so shield answers every refusal.
 */

/** An operation of a document: how often it ran, and once it is compiled, its query for each schema it runs on. */
interface Plans {
  uses: number;
  /** Compiled, or null when graphql-jit cannot compile it. */
  bySchema: Map<GraphQLSchema, CompiledQuery | null>;
}
const plansByDocument = new WeakMap<DocumentNode, Map<string, Plans>>();
/** Runs on graphql-js before an operation is compiled, whichever schema it runs on. */
const USES_BEFORE_COMPILING = 1;

function compiledFor(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): CompiledQuery | null {
  let byOperation = plansByDocument.get(document);
  if (!byOperation) {
    byOperation = new Map();
    plansByDocument.set(document, byOperation);
  }
  const name = operationName ?? "";
  let plans = byOperation.get(name);
  if (!plans) {
    plans = { uses: 0, bySchema: new Map() };
    byOperation.set(name, plans);
  }
  if (plans.uses < USES_BEFORE_COMPILING) {
    plans.uses += 1;
    return null;
  }
  const known = plans.bySchema.get(schema);
  if (known !== undefined) return known;
  let result: CompiledQuery | ExecutionResult | undefined;
  try {
    result = compileQuery(schema, document, operationName ?? undefined) as CompiledQuery | ExecutionResult;
  } catch {
    result = undefined;
  }
  const compiled = result && isCompiledQuery(result) ? result : null;
  plans.bySchema.set(schema, compiled);
  return compiled;
}

/** The answer of a request error: no data at all, only errors. */
const isRequestError = (result: ExecutionResult) => !("data" in result) || result.data === undefined;

/** `unguarded`: the schema Yoga's shielded one was made from, its resolvers not wrapped by shield (none: always shielded). */
export function compiledExecution(unguarded: GraphQLSchema | undefined): ExecutionHook {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const permitted =
        !!unguarded &&
        !!operation &&
        allowsEverything(args.contextValue.auth, operationShape(args.schema, args.document, operation).reachable);
      const schema = permitted ? unguarded : args.schema;
      const compiled = compiledFor(schema, args.document, args.operationName);
      if (!compiled) {
        if (permitted) setExecuteFn((executionArgs) => executeFn({ ...executionArgs, schema }));
        return;
      }
      setExecuteFn((executionArgs) => {
        const answer = (result: ExecutionResult) => {
          if (isRequestError(result)) return executeFn(executionArgs);
          if (result.errors)
            return { errors: asExecutorErrors(result.errors, args.document.loc?.source), data: result.data };
          return Object.assign(result, { stringify: compiled.stringify });
        };
        const result = compiled.query(
          executionArgs.rootValue,
          executionArgs.contextValue,
          executionArgs.variableValues,
        );
        return result instanceof Promise ? result.then(answer) : answer(result);
      });
    },
  };
}

/**
 * graphql-jit's errors as graphql-js makes them, so that a document answers alike on its first
 * use and once compiled: located in the source (jit keeps only line and column), and a failure
 * of execution's own (a scalar refusing a value, a null where none may be) over a plain Error,
 * which the error mask hides and logs; jit leaves those without an original error, which would
 * pass them unmasked and without extensions. Their answer is written by JSON.stringify, as
 * graphql-js's is: the compiled serialiser knows nothing of an error's extensions.
 */
function asExecutorErrors(errors: readonly GraphQLError[], source: Source | undefined): GraphQLError[] {
  const positionOf = source ? positionsIn(source) : undefined;
  return errors.map((error) => {
    const positions = positionOf && error.locations?.map(positionOf);
    return new GraphQLError(error.message, {
      ...(positions?.length ? { source, positions } : {}),
      path: error.path,
      originalError: error.originalError ?? Object.assign(new Error(error.message), { stack: error.stack }),
    });
  });
}

/** Maps a line and column of `source` to its offset; the lines are found once, in one pass. */
function positionsIn(source: Source): (location: SourceLocation) => number {
  const lineStarts = [0];
  const body = source.body;
  for (let index = 0; index < body.length; index++) {
    const char = body.charCodeAt(index);
    // graphql-js counts \r\n, \r and \n each as one line break.
    if (char === 10 || (char === 13 && body.charCodeAt(index + 1) !== 10)) lineStarts.push(index + 1);
  }
  return ({ line, column }) => (lineStarts[line - 1] ?? 0) + column - 1;
}
