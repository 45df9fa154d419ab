import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "../context/context.js";
import { schemaHidden } from "../errors.js";
import { operationShape } from "../schema/selections.js";

/**
 * Who may read the schema. With introspection on, anyone: `__schema`, `__type` and the
 * subgraph SDL (`_service`). With it off, `__schema` and `__type` are refused to everyone
 * and `_service` answers only an authenticated caller (a gateway composing with its token).
 */
export function useSchemaVisibility(introspection: boolean): Plugin[] {
  if (introspection) return [];
  const onlyAuthenticatedSdl: Plugin<GraphQLContext> = {
    onExecute({ args, setResultAndStopExecution }) {
      if (args.contextValue.auth.authenticated) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const { rootFields } = operationShape(args.schema, args.document, operation);
      if (!rootFields.some((field) => field.name.value === "_service")) return;
      setResultAndStopExecution({ errors: [schemaHidden(args.contextValue.auth.reason)] });
    },
  };
  return [useDisableIntrospection(), onlyAuthenticatedSdl as Plugin];
}
