import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { GraphQLError, Kind, type SelectionSetNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "../context/context.js";

/**
 * Who may read the schema. With introspection on, anyone: `__schema`, `__type` and the
 * subgraph SDL (`_service`). With it off, `__schema` and `__type` are refused to everyone
 * and `_service` answers only an authenticated caller (a gateway composing with its token).
 */
export function useSchemaVisibility(introspection: boolean): Plugin[] {
  if (introspection) return [];
  const onlyAuthenticatedSdl: Plugin<GraphQLContext> = {
    onExecute({ args, setResultAndStopExecution }) {
      if (args.contextValue.auth.authenticated || !selectsServiceSdl(args.document.definitions)) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError("The schema is shown only to authenticated callers.", {
            extensions: { code: "UNAUTHENTICATED", reason: args.contextValue.auth.reason },
          }),
        ],
      });
    },
  };
  return [useDisableIntrospection(), onlyAuthenticatedSdl as Plugin];
}

/** Whether any operation or fragment of the document selects `_service` at its root level. */
function selectsServiceSdl(definitions: readonly { kind: Kind; selectionSet?: SelectionSetNode }[]): boolean {
  const selects = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some(
      (selection) =>
        (selection.kind === Kind.FIELD && selection.name.value === "_service") ||
        (selection.kind === Kind.INLINE_FRAGMENT && selects(selection.selectionSet)),
    );
  // Fragments are checked wherever they are defined: a spread of one at the root is covered.
  return definitions.some(
    (node) =>
      (node.kind === Kind.OPERATION_DEFINITION || node.kind === Kind.FRAGMENT_DEFINITION) && selects(node.selectionSet),
  );
}
