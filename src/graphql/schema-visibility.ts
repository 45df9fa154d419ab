import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { schemaHidden } from "../errors.js";
import { operationShape } from "./analysis/document-shape.js";
import type { ExecutionHook } from "./execution-hooks.js";

/**
 * Who may read the schema. With introspection on, anyone: `__schema`, `__type` and the
 * subgraph SDL (`_service`). With it off, `__schema` and `__type` are refused to everyone
 * and `_service` answers only an authenticated caller (a gateway composing with its token).
 */
export function schemaVisibility(introspection: boolean): { plugins: Plugin[]; executionHooks: ExecutionHook[] } {
  if (introspection) return { plugins: [], executionHooks: [] };
  const onlyAuthenticatedSdl: ExecutionHook = {
    onExecute({ args, setResultAndStopExecution }) {
      if (args.contextValue.auth.authenticated) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const { rootFields } = operationShape(args.schema, args.document, operation);
      if (!rootFields.some((field) => field.name.value === "_service")) return;
      setResultAndStopExecution({ errors: [schemaHidden(args.contextValue.auth.reason)] });
    },
  };
  return { plugins: [useDisableIntrospection()], executionHooks: [onlyAuthenticatedSdl] };
}
