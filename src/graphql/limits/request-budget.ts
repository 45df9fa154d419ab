import {
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
} from "graphql";
import type { Auth } from "../../auth/verifier.js";
import type { OperationCharge } from "../../context/request-budget.js";
import { badRepresentation, locatedAt, secretNotSelected } from "../../errors.js";
import { refusalAt } from "../../permissions/table.js";
import { parseClientId } from "../../schema/client-id.js";
import { collectFields, includedWith, operationShape } from "../../schema/selections.js";
import type { ExecutionHook } from "../execution-hooks.js";

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
 * What an operation asks of its HTTP request's budget, or why it is refused, decided before it
 * runs: its estimated cost, with `_entities` priced per representation, and its
 * representations, each checked to name an entity of this subgraph; for a mutation, also its
 * permissions and its rotations. Refused operations make no upstream call.
 */
function assess(args: ExecutionArgs, auth: Auth): OperationCharge | GraphQLError {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return NO_CHARGE;
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
  if (operation.operation !== "mutation") return { cost, representations, rotations: [] };
  // A mutation's permissions are decided whole, before it runs: a field denied after a rotation
  // would otherwise be refused only once that rotation was made.
  for (const [coordinate, field] of shape.reachable) {
    const refusal = refusalAt(auth, coordinate);
    if (refusal) return locatedAt(refusal, field);
  }
  const rotations = rotationsOf(args, operation);
  return Array.isArray(rotations) ? { cost, representations, rotations } : rotations;
}

const NO_CHARGE: OperationCharge = { cost: 0, representations: 0, rotations: [] };

/**
 * The clients whose secret a mutation replaces (as execution will include its fields, by
 * @skip and @include), or the refusal of a rotation that does not select its new secret.
 */
function rotationsOf(args: ExecutionArgs, operation: OperationDefinitionNode): string[] | GraphQLError {
  const rotate = args.schema.getMutationType()?.getFields().regenerateClientSecret;
  if (!rotate) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragment = (name: string) => fragments.get(name);
  const included = includedWith(args.variableValues);
  const clientIds: string[] = [];
  for (const field of collectFields(operation.selectionSet, fragment, included)) {
    if (field.name.value !== rotate.name) continue;
    if (!selectsNewSecret(field, fragment, included)) return secretNotSelected(field);
    try {
      const { input } = getArgumentValues(rotate, field, args.variableValues ?? undefined);
      // The id as the resolver will use it, so that differently written ids are one client.
      clientIds.push(parseClientId(String((input as { clientId: unknown }).clientId), "input.clientId"));
    } catch {
      // Arguments that do not coerce, or a malformed id, are refused by execution itself, with their own error.
    }
  }
  return clientIds;
}

function selectsNewSecret(
  rotation: FieldNode,
  fragment: (name: string) => FragmentDefinitionNode | undefined,
  included: (selection: SelectionNode) => boolean,
): boolean {
  for (const client of collectFields(rotation.selectionSet, fragment, included)) {
    if (client.name.value !== "client") continue;
    for (const field of collectFields(client.selectionSet, fragment, included)) {
      if (field.name.value === "clientSecret") return true;
    }
  }
  return false;
}

/**
 * Charges each operation to its HTTP request's budget, and bounds the size of the request's
 * answers together: a batch shares one budget.
 */
export const requestBudget: ExecutionHook = {
  onExecute({ args, setResultAndStopExecution }) {
    const { budget, auth } = args.contextValue;
    const charge = assess(args, auth);
    if (charge instanceof GraphQLError) {
      setResultAndStopExecution({ errors: [charge] });
      return;
    }
    const refusal = budget.admit(charge);
    if (refusal) {
      setResultAndStopExecution({ errors: [refusal] });
      return;
    }
    // An answer carrying new secrets is sent whatever its size: withholding it would lose them.
    const mustSend = charge.rotations.length > 0;
    return {
      onExecuteDone({ result, setResult }) {
        if (!("data" in result || "errors" in result)) return;
        // Measured as Yoga will send it (with the compiled serialiser graphql-jit attaches to an
        // answer without errors); the bound keeps one request's answers from costing the process.
        const compiled = (result as { stringify?: (value: unknown) => string }).stringify;
        const json = compiled && !result.errors ? compiled(result) : JSON.stringify(result);
        const tooLarge = budget.chargeAnswer(Buffer.byteLength(json), mustSend);
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
