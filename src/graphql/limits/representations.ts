import { type GraphQLError, type GraphQLSchema, isUnionType } from "graphql";
import { badRepresentation } from "../../errors.js";
import type { CoercedOperation } from "../analysis/coerced-operation.js";
import type { OperationShape } from "../analysis/document-shape.js";

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

/** The `_entities` representations an operation resolves, and their estimated cost. */
export interface Representations {
  count: number;
  cost: number;
}

/**
 * The representations of each `_entities` field execution will run, as execution coerces them
 * (a variable's default included), each checked to name an entity of this subgraph, and priced
 * by the cost of one representation's selection; or the refusal of the first that does not.
 */
export function representationsOf(view: CoercedOperation, shape: OperationShape): Representations | GraphQLError {
  const found: Representations = { count: 0, cost: 0 };
  if (shape.entities.length === 0) return found;
  const priceOf = new Map(shape.entities.map(({ field, costPerRepresentation }) => [field, costPerRepresentation]));
  const entityTypes = entityTypeNames(view.schema);
  for (const fieldNodes of view.rootFields.values()) {
    if (fieldNodes[0]!.name.value !== "_entities") continue;
    const values = view.rootArguments.get(fieldNodes[0]!)?.representations;
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
    // Fields merged under one response name run once, with every one's selection.
    let costPerRepresentation = 0;
    for (const node of fieldNodes) costPerRepresentation += priceOf.get(node) ?? 0;
    found.count += values.length;
    found.cost += values.length * costPerRepresentation;
  }
  return found;
}
