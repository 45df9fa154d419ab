import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import {
  type ExecutionArgs,
  type FieldNode,
  GraphQLError,
  getArgumentValues,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../config.js";
import { CSRF_HEADER } from "../http/guards.js";
import { selectionCost } from "../schema/cost.js";
import { fragmentsOf, rootFields } from "./root-fields.js";

/**
 * Limits against hostile operations, checked before anything executes: depth, aliases,
 * tokens and directives (graphql-armor), cost (the schema's own cost model), a budget for
 * introspection, the number of `_entities` representations, and the size of an answer. Each refusal is
 * QUERY_LIMIT_EXCEEDED with `extensions.limit` naming which, and a 400 for callers that
 * accept application/graphql-response+json.
 */

/** A refusal before execution: 400 where the GraphQL-over-HTTP spec allows it, 200 for application/json. */
const limitExtensions = (limit: string) => ({ code: "QUERY_LIMIT_EXCEEDED", limit, http: { status: 400, spec: true } });

function limitError(limit: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: limitExtensions(limit) });
}

/**
 * What the standard introspection query (GraphiQL's, codegen's, a gateway's) needs, and no
 * more: one `__schema`, a few `__type`, no aliases inside them, 230 selections (with fragments
 * expanded), depth 15, and three nested lists (types → fields → args). Amplification needs
 * more of one of these.
 */
const INTROSPECTION = { schemaFields: 1, typeFields: 5, selections: 400, depth: 16, nestedLists: 3 };
/** The fields of the introspection types that answer a list of objects. */
const INTROSPECTION_LISTS = new Set([
  "types",
  "fields",
  "args",
  "inputFields",
  "enumValues",
  "interfaces",
  "possibleTypes",
  "directives",
]);

/**
 * A validation rule bounding introspection, which graphql-armor's depth and cost limits
 * skip: `__schema` and `__type` are root fields only, so the walk starts at the root and
 * expands fragments wherever they are spread, stopping at the first bound exceeded.
 */
function introspectionBound(context: ValidationContext) {
  const fragmentSelections = (name: string) => context.getFragment(name)?.selectionSet;
  const fail = (what: string) => {
    context.reportError(
      limitError("introspection", `Introspection is limited to what a schema download needs (${what}).`),
    );
    return false;
  };

  /** Walks one introspection field's subtree; false once a bound is exceeded. */
  const walkIntrospection = (root: FieldNode) => {
    let selections = 0;
    const walk = (set: SelectionSetNode | undefined, depth: number, lists: number, path: string[]): boolean => {
      for (const selection of set?.selections ?? []) {
        if (selection.kind === Kind.FIELD) {
          // Unaliased, a repeated field merges into one: only aliases can multiply an answer's breadth.
          if (selection.alias) return fail("no aliases inside introspection");
          if (++selections > INTROSPECTION.selections) return fail(`at most ${INTROSPECTION.selections} selections`);
          if (depth + 1 > INTROSPECTION.depth) return fail(`at most ${INTROSPECTION.depth} levels deep`);
          const nested = lists + (INTROSPECTION_LISTS.has(selection.name.value) ? 1 : 0);
          if (nested > INTROSPECTION.nestedLists) return fail(`at most ${INTROSPECTION.nestedLists} nested lists`);
          if (!walk(selection.selectionSet, depth + 1, nested, path)) return false;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (!walk(selection.selectionSet, depth, lists, path)) return false;
        } else {
          const name = selection.name.value;
          // A cycle is refused by the standard rules; here it must only not loop.
          if (path.includes(name)) continue;
          if (!walk(fragmentSelections(name), depth, lists, [...path, name])) return false;
        }
      }
      return true;
    };
    return walk(root.selectionSet, 1, 0, []);
  };

  return {
    OperationDefinition(operation: OperationDefinitionNode) {
      const counts = { __schema: 0, __type: 0 };
      for (const field of rootFields(operation.selectionSet, fragmentSelections)) {
        const name = field.name.value;
        if (name !== "__schema" && name !== "__type") continue;
        counts[name] += 1;
        if (counts.__schema > INTROSPECTION.schemaFields) return fail(`at most one __schema per operation`);
        if (counts.__type > INTROSPECTION.typeFields) return fail(`at most ${INTROSPECTION.typeFields} __type`);
        if (!walkIntrospection(field)) return;
      }
    },
  };
}

/**
 * Refuses an operation whose estimated cost (the schema's cost model, which routers read
 * from its `@cost` directives) exceeds the limit.
 */
const costBound =
  (maxCost: number): ValidationRule =>
  (context) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root = schema.getRootType(operation.operation);
      if (!root) return;
      const cost = selectionCost(
        schema,
        operation.selectionSet,
        root,
        (name) => context.getFragment(name) ?? undefined,
      );
      if (cost > maxCost) {
        context.reportError(limitError("cost", `Query cost limit of ${maxCost} exceeded, estimated ${cost}.`));
      }
    },
  });

/** The representations an operation's `_entities` fields carry, counted before execution. */
function countRepresentations(args: ExecutionArgs): number {
  const entities = args.schema.getQueryType()?.getFields()._entities;
  const operation = getOperationAST(args.document, args.operationName);
  if (!entities || operation?.operation !== "query") return 0;
  let total = 0;
  for (const field of rootFields(operation.selectionSet, fragmentsOf(args.document.definitions))) {
    if (field.name.value !== "_entities") continue;
    const { representations } = getArgumentValues(entities, field, args.variableValues ?? undefined);
    total += Array.isArray(representations) ? representations.length : 0;
  }
  return total;
}

/**
 * Bounds the upstream fan-out of `_entities` (each distinct representation may be one
 * GetClient) and the size of any answer. A refused operation makes no upstream call.
 */
function useExecutionBounds(limits: LimitsConfig): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let representations = 0;
      try {
        representations = countRepresentations(args);
      } catch {
        // Arguments that do not coerce are refused by execution itself, with its own error.
      }
      if (representations > limits.maxEntityRepresentations) {
        const message = `At most ${limits.maxEntityRepresentations} _entities representations per request, found ${representations}.`;
        setResultAndStopExecution({ errors: [limitError("representations", message)] });
        return;
      }
      return {
        onExecuteDone({ result, setResult }) {
          if (!("data" in result || "errors" in result)) return;
          // Measured as Yoga will send it; the bound keeps one answer from costing the process.
          const json = JSON.stringify(result);
          const bytes = Buffer.byteLength(json);
          if (bytes > limits.maxResponseBytes) {
            const message = `The answer would be ${bytes} bytes; at most ${limits.maxResponseBytes} are sent.`;
            setResult({ errors: [limitError("response_size", message)] });
          } else if (!result.errors && !result.extensions) {
            // Yoga serialises a result with its `stringify` when it has one: the JSON just made is
            // sent as is, unless a later plugin replaced the result (then it is serialised anew).
            const measured = {
              ...result,
              stringify: (value: unknown) => (value === measured ? json : JSON.stringify(value)),
            };
            setResult(measured);
          }
        },
      };
    },
  };
}

export function armourPlugins(limits: LimitsConfig, introspection: boolean): Plugin[] {
  const tag = (limit: string) => ({
    exposeLimits: true,
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        // graphql-armor labels its refusals as syntax errors; they are limits.
        error.message = error.message.replace(/^Syntax Error: /, "");
        Object.assign(error.extensions, limitExtensions(limit));
      },
    ],
  });
  const armor = new EnvelopArmor({
    // Introspection has its own bound below; these measure the schema's own fields.
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...tag("depth") },
    maxAliases: { n: limits.maxAliases, ...tag("aliases") },
    maxTokens: { n: limits.maxTokens, ...tag("tokens") },
    maxDirectives: { n: limits.maxDirectives, ...tag("directives") },
    // Cost is the schema's own model (costBound), the one routers read from `@cost`.
    costLimit: { enabled: false },
    // With introspection on, field suggestions reveal nothing new and help people.
    blockFieldSuggestion: { enabled: !introspection },
  });
  const ownRules: Plugin = {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(introspectionBound as ValidationRule);
      addValidationRule(costBound(limits.maxCost));
    },
  };
  return [
    ...(armor.protect().plugins as Plugin[]),
    ownRules,
    useExecutionBounds(limits),
    ...(limits.csrfPrevention ? [useCSRFPrevention({ requestHeaders: [CSRF_HEADER] })] : []),
  ];
}
