import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  getDirectiveValues,
  Kind,
  type SelectionSetNode,
} from "graphql";
import type { GraphQLContext } from "../context/context.js";
import { isAllowed } from "../permissions/table.js";

/**
 * Whether to ask the upstream for the client secret: only when the operation selects
 * `clientSecret` and the caller may see it. A secret nobody will be shown is never fetched.
 */
export function wantsSecret(context: GraphQLContext, info: GraphQLResolveInfo): boolean {
  // The cheap check first: most callers may not see the secret, and the search runs per resolver.
  return isAllowed(context.auth, "OAuthClient.clientSecret") && selectsField(info, "clientSecret");
}

/**
 * Whether the operation selects `fieldName` directly on the value this resolver
 * returns, through fragments too, honouring @skip and @include.
 */
function selectsField(info: GraphQLResolveInfo, fieldName: string): boolean {
  const visited = new Set<string>();
  const included = (node: FieldNode | SelectionSetNode["selections"][number]) =>
    !node.directives?.length ||
    (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
      getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false);

  const search = (selectionSet: SelectionSetNode | undefined): boolean =>
    (selectionSet?.selections ?? []).some((selection) => {
      if (!included(selection)) return false;
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === fieldName;
        case Kind.INLINE_FRAGMENT:
          return search(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visited.has(name)) return false;
          visited.add(name);
          const fragment: FragmentDefinitionNode | undefined = info.fragments[name];
          return search(fragment?.selectionSet);
        }
        default:
          return false;
      }
    });

  return info.fieldNodes.some((node) => included(node) && search(node.selectionSet));
}
