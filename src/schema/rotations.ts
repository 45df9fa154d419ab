import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  getNamedType,
  isObjectType,
} from "graphql";
import { collectSubfields } from "graphql/execution/collectFields.js";
import { secretNotSelected } from "../errors.js";
import { parseClientId } from "./client-id.js";

/**
 * The rules of secret rotation, decided before a mutation runs: a rotation must select its new
 * secret (the old one stops working, and the new one is shown only in this answer), and each
 * rotation names the client whose secret it replaces, so that the request's ledger can allow
 * each client once and reserve each call. The admission hands in the operation as execution
 * reads it (coerced variables, fields collected by graphql-js).
 */
export interface RotatingOperation {
  readonly schema: GraphQLSchema;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly rootFields: ReadonlyMap<string, readonly FieldNode[]>;
  /** Each root field's arguments, coerced as execution will (admission refuses arguments that do not coerce). */
  readonly rootArguments: ReadonlyMap<FieldNode, Readonly<Record<string, unknown>>>;
}

/**
 * The mutation whose upstream call (RegenerateSecret, never retried) admission reserves before
 * it runs. Every mutation of the schema must be one admission knows (test/recipes.test.ts).
 */
export const ROTATION = "regenerateClientSecret";

/** The clients whose secret the operation replaces, one per rotation execution will run, or the refusal of a rotation that does not select its new secret. */
export function rotationsOf(operation: RotatingOperation): string[] | GraphQLError {
  const clientIds: string[] = [];
  for (const fieldNodes of operation.rootFields.values()) {
    const field = fieldNodes[0]!;
    if (field.name.value !== ROTATION) continue;
    if (!selectsNewSecret(operation, fieldNodes)) return secretNotSelected(field);
    const input = operation.rootArguments.get(field)?.input as { clientId?: unknown } | undefined;
    try {
      // The id as the resolver will use it, so that differently written ids are one client.
      clientIds.push(parseClientId(String(input?.clientId), "input.clientId"));
    } catch {
      // A malformed id is refused by the resolver itself, with its own error, before any call.
    }
  }
  return clientIds;
}

/** Whether execution will answer `client { clientSecret }` under these rotation fields. */
function selectsNewSecret(operation: RotatingOperation, rotation: readonly FieldNode[]): boolean {
  const { schema, fragments, variables } = operation;
  const payload = getNamedType(schema.getMutationType()?.getFields()[ROTATION]?.type);
  const clientField = isObjectType(payload) ? payload.getFields().client : undefined;
  const client = getNamedType(clientField?.type);
  if (!isObjectType(payload) || !isObjectType(client)) return false;
  for (const clientNodes of collectSubfields(schema, fragments, variables, payload, rotation).values()) {
    if (clientNodes[0]!.name.value !== "client") continue;
    for (const fieldNodes of collectSubfields(schema, fragments, variables, client, clientNodes).values()) {
      if (fieldNodes[0]!.name.value === "clientSecret") return true;
    }
  }
  return false;
}
