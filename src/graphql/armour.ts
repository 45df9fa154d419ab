import { EnvelopArmor } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import {
  type ExecutionArgs,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LimitsConfig } from "../config.js";
import type { GraphQLContext } from "../context/context.js";
import type { RequestBudget } from "../context/request-budget.js";
import { badRepresentation, type Limit, limitExceeded, limitExtensions } from "../errors.js";
import { CSRF_HEADER } from "../http/guards.js";
import { operationShape } from "./operation-shape.js";

/**
 * Limits against hostile requests, checked before anything executes: the document's size in
 * bytes (before parsing), its size once fragments are expanded (before validation), depth,
 * aliases, tokens and directives (graphql-armor), a budget for introspection, then, charged to
 * the HTTP request's budget shared by a whole batch, cost (the schema's own model, `_entities`
 * per representation) and representations; and the size of the answers. Each refusal is
 * QUERY_LIMIT_EXCEEDED with `extensions.limit` naming which, and a 400 for callers that accept
 * application/graphql-response+json.
 */

/**
 * What the standard introspection query (GraphiQL's, codegen's, a gateway's) needs, and no
 * more: one `__schema`, a few `__type`, no aliases inside them, about 300 selections (fields
 * and spreads, with fragments expanded), depth 15, and three nested lists (types → fields → args). Amplification needs
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
      limitExceeded("introspection", `Introspection is limited to what a schema download needs (${what}).`),
    );
    return false;
  };

  /** Walks one introspection field's subtree; false once a bound is exceeded. */
  const walkIntrospection = (root: FieldNode) => {
    let selections = 0;
    const walk = (set: SelectionSetNode | undefined, depth: number, lists: number, path: string[]): boolean => {
      for (const selection of set?.selections ?? []) {
        // Spreads count too: a walk over fragments that only spread each other must stop as well.
        if (++selections > INTROSPECTION.selections) return fail(`at most ${INTROSPECTION.selections} selections`);
        if (selection.kind === Kind.FIELD) {
          // Unaliased, a repeated field merges into one: only aliases can multiply an answer's breadth.
          if (selection.alias) return fail("no aliases inside introspection");
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
      for (const field of operationShape(context.getSchema(), context.getDocument(), operation).rootFields) {
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

/** Refuses a document longer than the limit before it is parsed: whitespace, comments and strings included. */
function useDocumentSize(maxBytes: number): Plugin {
  return {
    onParams({ params, setResult }) {
      const query = params.query;
      // A UTF-8 byte count is at least the UTF-16 length and at most three times it.
      if (typeof query !== "string" || query.length * 3 <= maxBytes) return;
      const bytes = query.length > maxBytes ? query.length : Buffer.byteLength(query);
      if (bytes <= maxBytes) return;
      setResult({
        errors: [
          limitExceeded("document_bytes", `A GraphQL document may be at most ${maxBytes} bytes, this one is ${bytes}.`),
        ],
      });
    },
  };
}

/**
 * Refuses, before any validation rule walks it, a document whose operations expand to more
 * selections than the limit once fragments are spread: each rule and execution after it then
 * walks a bounded selection, however the fragments spread each other.
 */
function useExpansionBound(maxSelections: number): Plugin {
  return {
    onValidate({ params: { schema, documentAST }, setResult }) {
      for (const definition of documentAST.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const { expandedSelections } = operationShape(schema, documentAST, definition);
        if (expandedSelections > maxSelections) {
          const found =
            Number.isFinite(expandedSelections) && expandedSelections < 1e9 ? String(expandedSelections) : "far more";
          const message = `An operation may select at most ${maxSelections} fields and fragments once its fragments are expanded; found ${found}.`;
          setResult([limitExceeded("expanded_selections", message)]);
          return;
        }
      }
    },
  };
}

/** The entity types `_entities` can resolve: the members of `_Entity`. */
function entityTypeNames(schema: GraphQLSchema): ReadonlySet<string> {
  const union = schema.getType("_Entity");
  return new Set(union && isUnionType(union) ? union.getTypes().map((type) => type.name) : []);
}

/**
 * Charges an operation to its HTTP request's budget before it runs: its estimated cost, with
 * `_entities` priced per representation, and its representations, each checked to name an
 * entity of this subgraph. Refused operations make no upstream call.
 */
function chargeOperation(args: ExecutionArgs, budget: RequestBudget): GraphQLError | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return undefined;
  const shape = operationShape(args.schema, args.document, operation);
  let cost = shape.cost;
  let representations = 0;
  if (shape.entities.length > 0) {
    const entities = args.schema.getQueryType()?.getFields()._entities;
    const entityTypes = entityTypeNames(args.schema);
    for (const { field, costPerRepresentation } of shape.entities) {
      let values: unknown;
      try {
        values = entities && getArgumentValues(entities, field, args.variableValues ?? undefined).representations;
      } catch {
        // Arguments that do not coerce are refused by execution itself, with its own error.
        continue;
      }
      if (!Array.isArray(values)) continue;
      for (const [index, value] of values.entries()) {
        const typename = (value as { __typename?: unknown } | null)?.__typename;
        if (typeof typename !== "string" || !entityTypes.has(typename)) {
          return badRepresentation(
            index,
            `names __typename ${JSON.stringify(String(typename).slice(0, 64))}, which is not an entity of this subgraph.`,
          );
        }
      }
      representations += values.length;
      cost += values.length * costPerRepresentation;
    }
  }
  const refusal = budget.chargeOperation(cost, representations);
  if (refusal || operation.operation !== "mutation") return refusal;
  return claimRotations(args, shape.rootFields, budget);
}

/**
 * Claims, before a mutation runs, every secret rotation it asks for: a client rotated twice in
 * one HTTP request (aliases, or operations of a batch) is refused before either rotation, so
 * that no new secret is made and then lost in a failed answer.
 */
function claimRotations(args: ExecutionArgs, rootFields: readonly FieldNode[], budget: RequestBudget) {
  const rotate = args.schema.getMutationType()?.getFields().regenerateClientSecret;
  if (!rotate) return undefined;
  const clientIds: string[] = [];
  for (const field of rootFields) {
    if (field.name.value !== rotate.name) continue;
    try {
      const { input } = getArgumentValues(rotate, field, args.variableValues ?? undefined);
      clientIds.push(String((input as { clientId: unknown }).clientId).toLowerCase());
    } catch {
      // Arguments that do not coerce are refused by execution itself, with its own error.
    }
  }
  return budget.claimRotations(clientIds);
}

/**
 * Charges each operation to its HTTP request's budget, and bounds the size of the request's
 * answers together: a batch shares one budget.
 */
const useExecutionBounds: Plugin<GraphQLContext> = {
  onExecute({ args, setResultAndStopExecution }) {
    const budget = args.contextValue.budget;
    const refusal = chargeOperation(args, budget);
    if (refusal) {
      setResultAndStopExecution({ errors: [refusal] });
      return;
    }
    return {
      onExecuteDone({ result, setResult }) {
        if (!("data" in result || "errors" in result)) return;
        // Measured as Yoga will send it; the bound keeps one request's answers from costing the process.
        const json = JSON.stringify(result);
        const tooLarge = budget.chargeAnswer(Buffer.byteLength(json));
        if (tooLarge) {
          setResult({ errors: [tooLarge] });
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

export function armourPlugins(limits: LimitsConfig, introspection: boolean): Plugin[] {
  const tag = (limit: Limit) => ({
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
    // Cost is the schema's own model, the one routers read from `@cost`, charged per HTTP request.
    costLimit: { enabled: false },
    // With introspection on, field suggestions reveal nothing new and help people.
    blockFieldSuggestion: { enabled: !introspection },
  });
  const ownRules: Plugin = {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(introspectionBound as ValidationRule);
    },
  };
  return [
    useDocumentSize(limits.maxDocumentBytes),
    useExpansionBound(limits.maxExpandedSelections),
    ...(armor.protect().plugins as Plugin[]),
    ownRules,
    useExecutionBounds as Plugin,
    ...(limits.csrfPrevention ? [useCSRFPrevention({ requestHeaders: [CSRF_HEADER] })] : []),
  ];
}
