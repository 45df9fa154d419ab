import { Kind } from "graphql";
import type { Plugin } from "graphql-yoga";
import { limitExceeded } from "../../errors.js";
import { operationShape } from "../analysis/document-shape.js";

/**
 * Refuses, before any validation rule walks it, a document whose operations expand to more
 * selections than the limit once fragments are spread: each rule and execution after it then
 * walks a bounded selection, however the fragments spread each other.
 */
export function useExpansionBound(maxSelections: number): Plugin {
  return {
    onValidate({ params: { schema, documentAST }, setResult }) {
      for (const definition of documentAST.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const { expandedSelections } = operationShape(schema, documentAST, definition);
        if (expandedSelections > maxSelections) {
          const found =
            Number.isFinite(expandedSelections) && expandedSelections < 1e9 ? String(expandedSelections) : "far more";
          const message = `An operation may select at most ${maxSelections} fields and fragments once its fragments are expanded; found ${found}.`;
          setResult([limitExceeded("expanded_selections", message)]);
          return;
        }
      }
    },
  };
}
