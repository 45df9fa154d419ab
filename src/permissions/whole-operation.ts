import type { FieldNode, GraphQLError } from "graphql";
import type { Auth } from "../auth/verifier.js";
import { locatedAt } from "../errors.js";
import { refusalAt } from "./table.js";

/**
 * An operation's permissions decided whole, before it runs, from the table: for a mutation, a
 * field denied after a rotation would otherwise be refused only once that rotation was made.
 * `coordinates` are those execution will resolve ("Type.field", with a field selecting each);
 * the refusal is shield's for the first denied one, located at its field.
 */
export function refusalOfOperation(auth: Auth, coordinates: ReadonlyMap<string, FieldNode>): GraphQLError | undefined {
  for (const [coordinate, field] of coordinates) {
    const refusal = refusalAt(auth, coordinate);
    if (refusal) return locatedAt(refusal, field);
  }
  return undefined;
}
