import {
  type ConstDirectiveNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  valueFromASTUntyped,
} from "graphql";

/**
 * The cost model: what an operation is estimated to cost before it runs. The schema
 * publishes it as `@cost` and `@listSize`, and the service's own limit (`LIMIT_MAX_COST`)
 * reads those same directives back, so a router's demand control and this service price an
 * operation alike: each field costs its own weight plus its type's (an object 1, a scalar 0,
 * unless the type has a weight), times the assumed size of every list around it and its own.
 */

/** One upstream call (GetClient or RegenerateSecret): the unit everything else is small beside. */
const UPSTREAM_CALL = 10;

/** Weights by coordinate: a type ("OAuthClient": every field that returns one) or a field. */
export const COST_WEIGHTS: Readonly<Record<string, number>> = {
  // Every OAuthClient in an answer is read from the upstream: by id, or as a gateway's entity.
  OAuthClient: UPSTREAM_CALL,
  // Selecting the secret turns the read into a privileged one (includeSecret).
  "OAuthClient.clientSecret": UPSTREAM_CALL,
  "Mutation.regenerateClientSecret": UPSTREAM_CALL,
};

/** How many items each list field of the schema is assumed to hold (published as `@listSize`). */
export const ASSUMED_LIST_SIZE = 10;

/** A numeric argument of a directive on a schema element, as printed in the SDL. */
function directiveNumber(
  node: { readonly directives?: readonly ConstDirectiveNode[] | undefined } | null | undefined,
  directive: string,
  argument: string,
): number | undefined {
  const value = node?.directives
    ?.find((d) => d.name.value === directive)
    ?.arguments?.find((a) => a.name.value === argument)?.value;
  return value ? Number(valueFromASTUntyped(value)) : undefined;
}

/** A named composite type of the schema, for a fragment's type condition. */
function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

/**
 * The estimated cost of a selection set on `parentType`, fragments expanded where spread.
 * Introspection is priced by its own budget, not here.
 */
export function selectionCost(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  fragment: (name: string) => FragmentDefinitionNode | undefined,
  factor = 1,
  spreads: readonly string[] = [],
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      // Unknown fields are refused by validation; introspection has a budget of its own.
      const field = isObjectType(parentType) && !name.startsWith("__") ? parentType.getFields()[name] : undefined;
      if (!field) continue;
      const fieldFactor = factor * (directiveNumber(field.astNode, "listSize", "assumedSize") ?? 1);
      const type = getNamedType(field.type);
      const typeWeight = directiveNumber(type.astNode, "cost", "weight") ?? (isCompositeType(type) ? 1 : 0);
      cost += fieldFactor * ((directiveNumber(field.astNode, "cost", "weight") ?? 0) + typeWeight);
      if (selection.selectionSet && isCompositeType(type)) {
        cost += selectionCost(schema, selection.selectionSet, type, fragment, fieldFactor, spreads);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? compositeType(schema, selection.typeCondition.name.value) : parentType;
      if (type) cost += selectionCost(schema, selection.selectionSet, type, fragment, factor, spreads);
    } else {
      const name = selection.name.value;
      const definition = fragment(name);
      const type = definition && compositeType(schema, definition.typeCondition.name.value);
      // A cycle is refused by validation; here it must only not loop.
      if (!type || spreads.includes(name)) continue;
      cost += selectionCost(schema, definition.selectionSet, type, fragment, factor, [...spreads, name]);
    }
  }
  return cost;
}
