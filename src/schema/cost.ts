import {
  type ConstDirectiveNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isCompositeType,
  valueFromASTUntyped,
} from "graphql";

/**
 * The cost model: what an operation is estimated to cost before it runs. The schema
 * publishes it as `@cost` and `@listSize`, and the service's own limit (`LIMIT_MAX_COST`)
 * reads those same directives back, so a router's demand control and this service price an
 * operation alike: each field costs its own weight plus its type's (an object 1, a scalar 0,
 * unless the type has a weight), times the assumed size of every list around it and its own.
 * `_entities` is the one list whose size is known before it runs: one item per representation.
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

/** What one field costs where it is selected once, and the factor its selections are multiplied by. */
export interface FieldPrice {
  /** The field's own weight plus its type's, per item. */
  weight: number;
  /** The assumed size of the list it returns (1 when it is not a list). */
  listSize: number;
}

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

/** A type's weight; an abstract type weighs as its heaviest member (`_Entity` as an OAuthClient). */
function typeWeight(schema: GraphQLSchema, type: GraphQLCompositeType): number {
  if (isAbstractType(type)) {
    return Math.max(1, ...schema.getPossibleTypes(type).map((member) => typeWeight(schema, member)));
  }
  return directiveNumber(type.astNode, "cost", "weight") ?? 1;
}

/** The price of a field, read from the directives the schema publishes. */
export function fieldPrice(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): FieldPrice {
  const type = getNamedType(field.type);
  const ownWeight = directiveNumber(field.astNode, "cost", "weight") ?? 0;
  const weightOfType = isCompositeType(type)
    ? typeWeight(schema, type)
    : (directiveNumber(type.astNode, "cost", "weight") ?? 0);
  return {
    weight: ownWeight + weightOfType,
    listSize: directiveNumber(field.astNode, "listSize", "assumedSize") ?? 1,
  };
}
