import { type GraphQLResolveInfo, isObjectType } from "graphql";
import { collectSubfields } from "graphql/execution/collectFields.js";

/**
 * Whether execution selects `fieldName` on the `typeName` value a resolver returns: its
 * subfields collected by graphql-js's own `collectSubfields`, with the operation's coerced
 * variables (@skip, @include, fragments and type conditions read as execution reads them).
 */
export function selectsField(info: GraphQLResolveInfo, typeName: string, fieldName: string): boolean {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return false;
  const subfields = collectSubfields(info.schema, info.fragments, info.variableValues, type, info.fieldNodes);
  for (const fieldNodes of subfields.values()) if (fieldNodes[0]!.name.value === fieldName) return true;
  return false;
}
