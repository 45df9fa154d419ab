import { type DocumentNode, GraphQLError } from "graphql";
import type { Auth } from "../../auth/verifier.js";
import { badUserInput, locatedAt } from "../../errors.js";
import type { OperationCharge } from "../../loaders/request-ledger.js";
import { refusalOfOperation } from "../../permissions/whole-operation.js";
import { rotationsOf } from "../../schema/rotations.js";
import { type CoercedOperation, coerceOperation, executedCoordinates } from "../analysis/coerced-operation.js";
import { operationShape } from "../analysis/document-shape.js";
import type { ExecutionHook } from "../execution-hooks.js";
import { answerSize } from "./answer-size.js";
import { representationsOf } from "./representations.js";

/**
 * What an operation asks of its HTTP request's ledger, or why it is refused, decided on the
 * operation as execution will read it: its arguments coerce; its estimated cost, with `_entities` priced per
 * representation and each representation checked; for a mutation, also its permissions and
 * its rotations. Refused operations make no upstream call.
 */
function chargeOf(view: CoercedOperation, document: DocumentNode, auth: Auth): OperationCharge | GraphQLError {
  const { argumentError } = view;
  if (argumentError) {
    const name = /^Argument "(\w+)"/.exec(argumentError.error.message)?.[1] ?? argumentError.field.name.value;
    return locatedAt(badUserInput(argumentError.error.message, name), argumentError.field);
  }
  const shape = operationShape(view.schema, document, view.operation);
  const representations = representationsOf(view, shape);
  if (representations instanceof GraphQLError) return representations;
  const charge = { cost: shape.cost + representations.cost, representations: representations.count };
  if (view.operation.operation !== "mutation") return { ...charge, rotations: [] };
  const refusal = refusalOfOperation(auth, executedCoordinates(view));
  if (refusal) return refusal;
  const rotations = rotationsOf(view);
  return rotations instanceof GraphQLError ? rotations : { ...charge, rotations };
}

/**
 * Admits each operation to its HTTP request's ledger before anything of it runs, or refuses it:
 * variables that do not coerce, a bad representation, a denied field of a mutation, a rotation
 * without its secret, a bound exceeded. An admitted operation's answer is then counted toward
 * the request's answer size. A batch shares one ledger.
 */
export const admission: ExecutionHook = {
  onExecute({ args, setResultAndStopExecution }) {
    const { ledger, auth } = args.contextValue;
    const view = coerceOperation(args);
    if (view === undefined) return;
    if (Array.isArray(view)) {
      setResultAndStopExecution({ errors: view });
      return;
    }
    const charge = chargeOf(view as CoercedOperation, args.document, auth);
    const refusal = charge instanceof GraphQLError ? charge : ledger.admit(charge);
    if (refusal) {
      setResultAndStopExecution({ errors: [refusal] });
      return;
    }
    return answerSize(ledger, (charge as OperationCharge).rotations.length > 0);
  },
};
