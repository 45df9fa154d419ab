import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { schemaHidden } from "../errors.js";
import { WITHOUT_INTROSPECTION } from "../permissions/table.js";
import { operationShape } from "./analysis/document-shape.js";
import type { ExecutionHook } from "./execution-hooks.js";

/** The root fields (of Query) that only an authenticated caller may read without introspection. */
const AUTHENTICATED_ONLY = new Set(
  Object.entries(WITHOUT_INTROSPECTION)
    .filter(([, who]) => who === "authenticated")
    .map(([coordinate]) => coordinate.split(".")[1]!),
);

/**
 * Who may read the schema, as the permission table's WITHOUT_INTROSPECTION says. With
 * introspection on, anyone. With it off, `__schema` and `__type` are refused to everyone (Yoga's
 * plugin) and the subgraph SDL answers only an authenticated caller.
 */
export function schemaVisibility(introspection: boolean): { plugins: Plugin[]; executionHooks: ExecutionHook[] } {
  if (introspection) return { plugins: [], executionHooks: [] };
  const onlyAuthenticated: ExecutionHook = {
    onExecute({ args, setResultAndStopExecution }) {
      if (args.contextValue.auth.authenticated) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const { rootFields } = operationShape(args.schema, args.document, operation);
      if (!rootFields.some((field) => AUTHENTICATED_ONLY.has(field.name.value))) return;
      setResultAndStopExecution({ errors: [schemaHidden(args.contextValue.auth.reason)] });
    },
  };
  return { plugins: [useDisableIntrospection()], executionHooks: [onlyAuthenticated] };
}
