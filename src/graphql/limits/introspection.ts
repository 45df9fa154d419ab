import type { FieldNode, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";
import { limitExceeded } from "../../errors.js";
import { everyField, operationShape } from "../analysis/document-shape.js";

/**
 * What the standard introspection query (GraphiQL's, codegen's, a gateway's) needs, and no
 * more: one `__schema`, a few `__type`, no aliases inside them, 230 selections (with fragments
 * expanded), depth 15, and three nested lists (types → fields → args). Amplification needs
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
 * collects each level's fields as execution would, stopping at the first bound exceeded.
 */
function introspectionBound(context: ValidationContext) {
  const fragment = (name: string) => context.getFragment(name);
  const fail = (what: string) => {
    context.reportError(
      limitExceeded("introspection", `Introspection is limited to what a schema download needs (${what}).`),
    );
    return false;
  };

  /** Walks one introspection field's subtree; false once a bound is exceeded. */
  const walkIntrospection = (root: FieldNode) => {
    let selections = 0;
    const walk = (set: SelectionSetNode | undefined, depth: number, lists: number): boolean => {
      for (const field of everyField(set, fragment)) {
        // Unaliased, a repeated field merges into one: only aliases can multiply an answer's breadth.
        if (field.alias) return fail("no aliases inside introspection");
        if (++selections > INTROSPECTION.selections) return fail(`at most ${INTROSPECTION.selections} selections`);
        if (depth + 1 > INTROSPECTION.depth) return fail(`at most ${INTROSPECTION.depth} levels deep`);
        const nested = lists + (INTROSPECTION_LISTS.has(field.name.value) ? 1 : 0);
        if (nested > INTROSPECTION.nestedLists) return fail(`at most ${INTROSPECTION.nestedLists} nested lists`);
        if (!walk(field.selectionSet, depth + 1, nested)) return false;
      }
      return true;
    };
    return walk(root.selectionSet, 1, 0);
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

/** The introspection budget, as a validation rule. */
export const useIntrospectionBound: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(introspectionBound as ValidationRule),
};
