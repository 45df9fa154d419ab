import {
  type ExecutionArgs,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  isUnionType,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "../../context/context.js";
import type { RequestBudget } from "../../context/request-budget.js";
import { badRepresentation } from "../../errors.js";
import { parseClientId } from "../../schema/client-id.js";
import { operationShape } from "../../schema/selections.js";

/** The entity types `_entities` can resolve: the members of `_Entity`. */
const entityTypesBySchema = new WeakMap<GraphQLSchema, ReadonlySet<string>>();
function entityTypeNames(schema: GraphQLSchema): ReadonlySet<string> {
  let names = entityTypesBySchema.get(schema);
  if (!names) {
    const union = schema.getType("_Entity");
    names = new Set(union && isUnionType(union) ? union.getTypes().map((type) => type.name) : []);
    entityTypesBySchema.set(schema, names);
  }
  return names;
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
      // The id as the resolver will use it, so that differently written ids are one client.
      clientIds.push(parseClientId(String((input as { clientId: unknown }).clientId), "input.clientId"));
    } catch {
      // Arguments that do not coerce, or a malformed id, are refused by execution itself, with their own error.
    }
  }
  return budget.claimRotations(clientIds);
}

/**
 * Charges each operation to its HTTP request's budget, and bounds the size of the request's
 * answers together: a batch shares one budget.
 */
export const useRequestBudget: Plugin<GraphQLContext> = {
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
        // Measured as Yoga will send it (with the compiled serialiser graphql-jit attaches to an
        // answer without errors); the bound keeps one request's answers from costing the process.
        const compiled = (result as { stringify?: (value: unknown) => string }).stringify;
        const json = compiled && !result.errors ? compiled(result) : JSON.stringify(result);
        const tooLarge = budget.chargeAnswer(Buffer.byteLength(json));
        if (tooLarge) {
          setResult({ errors: [tooLarge] });
        } else if (!result.errors && !result.extensions) {
          // Yoga serialises a result with its `stringify` when it has one: the JSON just made is
          // sent as is, unless a later plugin replaced the result (then it is serialised anew).
          const measured = {
            ...result,
            stringify: (value: unknown) => (value === measured ? json : (compiled ?? JSON.stringify)(value)),
          };
          setResult(measured);
        }
      },
    };
  },
};
