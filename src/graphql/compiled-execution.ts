import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type OperationDefinitionNode,
  type Source,
  type SourceLocation,
} from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";
import { allowsEverything } from "../permissions/verdict.js";
import type { GraphQLContext } from "../schema/resolver-context.js";
import { type OperationShape, operationShape } from "./analysis/document-shape.js";
import { parsedBytes } from "./document-cache.js";
import type { ExecutionHook } from "./execution-hooks.js";

/**
 * Execution compiled by graphql-jit, only where test/compiled-execution.test.ts proves it
 * answers as graphql-js does.
 *
 * That is a query of an authenticated caller, admitted by its request's ledger, in a document
 * without @skip or @include (graphql-jit 0.8.9 collects conditional fragments unlike
 * graphql-js: ../shared/notes/graphql-jit.md), small enough to compile quickly. It is compiled
 * on its second use (as Mercurius's `jit: 1`), so distinct documents cannot make the service
 * compile each. Everything else, and any request error, runs on graphql-js. An operation the
 * caller may resolve whole (the permission verdict) runs without shield's per-field wrappers.
 */

/** Runs on graphql-js before an operation is compiled, whichever schema it runs on. */
const USES_BEFORE_COMPILING = 1;
/** Operations larger than this (selections once fragments are expanded) are not compiled: compiling costs ~0.15 ms and ~3 kB per selection (bench/README.md). */
const MAX_COMPILED_SELECTIONS = 400;
/** Selections compiled for one HTTP request at most (a batch shares it), so compiling stays within its CPU bound. */
const COMPILED_SELECTIONS_PER_REQUEST = 400;
/** Compiled plans kept, by an estimate of their size in memory. */
const PLAN_CACHE_BYTES = 32 * 1024 * 1024;
/** Estimate of a plan's size: measured at 1.2 to 3 kB per expanded selection (bench/README.md). */
const PLAN_BYTES_PER_SELECTION = 4 * 1024;
const PLAN_BYTES_BASE = 16 * 1024;

/** Uses of each operation of a document before it is compiled; kept as long as the document is. */
const usesByDocument = new WeakMap<DocumentNode, Map<string, number>>();

/** A document's compiled operations, by schema and operation name; null when graphql-jit cannot compile one. */
type Plans = Map<GraphQLSchema, Map<string, CompiledQuery | null>>;
const plansByDocument = new LRUCache<DocumentNode, Plans>({
  maxSize: PLAN_CACHE_BYTES,
  sizeCalculation: (plans, document) => sizeOf(plans, document),
});
const planSizes = new WeakMap<CompiledQuery, number>();

/** The plans' estimate, and the document's own: plans keep their document alive, whether the parse cache does or not. */
function sizeOf(plans: Plans, document: DocumentNode): number {
  let bytes = parsedBytes(document, document.loc?.source.body.length ?? 0);
  for (const bySchema of plans.values()) {
    for (const plan of bySchema.values()) bytes += plan ? (planSizes.get(plan) ?? PLAN_BYTES_BASE) : 64;
  }
  return bytes;
}

/** Selections compiled so far for each HTTP request, by its ledger. */
const compiledPerRequest = new WeakMap<object, number>();

/** Whether the operation is one compiled execution is proven for, and affordable now. */
function compilable(context: GraphQLContext, operation: OperationDefinitionNode, shape: OperationShape): boolean {
  return (
    context.auth.authenticated &&
    operation.operation === "query" &&
    !shape.conditional &&
    shape.expandedSelections <= MAX_COMPILED_SELECTIONS
  );
}

function compiledFor(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  context: GraphQLContext,
  selections: number,
  observeCompilation: () => void,
): CompiledQuery | null {
  const name = operationName ?? "";
  const known = plansByDocument.get(document)?.get(schema)?.get(name);
  if (known !== undefined) return known;
  let uses = usesByDocument.get(document);
  if (!uses) {
    uses = new Map();
    usesByDocument.set(document, uses);
  }
  const used = uses.get(name) ?? 0;
  if (used < USES_BEFORE_COMPILING) {
    uses.set(name, used + 1);
    return null;
  }
  const spent = (compiledPerRequest.get(context.ledger) ?? 0) + selections;
  if (spent > COMPILED_SELECTIONS_PER_REQUEST) return null;
  compiledPerRequest.set(context.ledger, spent);
  observeCompilation();
  let result: CompiledQuery | ExecutionResult | undefined;
  try {
    result = compileQuery(schema, document, operationName ?? undefined) as CompiledQuery | ExecutionResult;
  } catch {
    result = undefined;
  }
  const compiled = result && isCompiledQuery(result) ? result : null;
  if (compiled) planSizes.set(compiled, PLAN_BYTES_BASE + selections * PLAN_BYTES_PER_SELECTION);
  const plans: Plans = plansByDocument.get(document) ?? new Map();
  let bySchema = plans.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    plans.set(schema, bySchema);
  }
  bySchema.set(name, compiled);
  // Set again, so that the cache weighs the document's plans with this one.
  plansByDocument.set(document, plans);
  return compiled;
}

/** The answer of a request error: no data at all, only errors. */
const isRequestError = (result: ExecutionResult) => !("data" in result) || result.data === undefined;

export interface CompiledExecutionOptions {
  /** The schema Yoga's shielded one was made from, its resolvers not wrapped by shield (none: always shielded). */
  unguarded: GraphQLSchema | undefined;
  /** Whether anything is compiled (off, every operation runs on graphql-js). */
  compiles: boolean;
  /** Called for each operation compiled. */
  observeCompilation(): void;
}

export function compiledExecution({
  unguarded,
  compiles,
  observeCompilation,
}: CompiledExecutionOptions): ExecutionHook {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const shape = operationShape(args.schema, args.document, operation);
      const permitted = !!unguarded && allowsEverything(args.contextValue.auth, shape.reachable);
      const schema = permitted ? unguarded : args.schema;
      const compiled =
        compiles && compilable(args.contextValue, operation, shape)
          ? compiledFor(
              schema,
              args.document,
              args.operationName,
              args.contextValue,
              shape.expandedSelections,
              observeCompilation,
            )
          : null;
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
