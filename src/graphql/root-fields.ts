import type { FieldNode, SelectionSetNode } from "graphql";
import { Kind } from "graphql";

/**
 * The fields an operation selects at its root, with inline fragments and fragment spreads
 * expanded wherever they appear (a spread inside its own expansion is skipped: cycles are
 * refused by the standard rules, and here they must only not loop).
 */
export function* rootFields(
  selectionSet: SelectionSetNode | undefined,
  fragment: (name: string) => SelectionSetNode | undefined,
  path: readonly string[] = [],
): Generator<FieldNode> {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* rootFields(selection.selectionSet, fragment, path);
    else if (!path.includes(selection.name.value)) {
      yield* rootFields(fragment(selection.name.value), fragment, [...path, selection.name.value]);
    }
  }
}

/** Looks fragments up by name in a document's definitions. */
export function fragmentsOf(definitions: readonly { kind: Kind }[]) {
  const byName = new Map<string, SelectionSetNode>();
  for (const node of definitions) {
    if (node.kind === Kind.FRAGMENT_DEFINITION) {
      const fragment = node as unknown as { name: { value: string }; selectionSet: SelectionSetNode };
      byName.set(fragment.name.value, fragment.selectionSet);
    }
  }
  return (name: string) => byName.get(name);
}
