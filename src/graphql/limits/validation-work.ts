import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { limitExceeded } from "../../errors.js";
import { operationShape } from "../analysis/document-shape.js";

/**
 * graphql-js's validation is linear in a document but for one rule, OverlappingFieldsCanBeMerged:
 * it compares every two fields that answer at one response path (same response name, parents
 * merged), and every two fragments spread in one selection set, so its work grows with the
 * square of those counts (498 `_entities { __typename }` in one set took 65 to 210 ms). This
 * bound counts that work before validation runs, in one walk of each operation with its
 * fragments expanded, stopped as soon as the count passes the budget, and charges it to the
 * HTTP request: a batch's documents share one budget, measured in field pairs.
 */
/** A response path: how many fields answer at it, and the paths below it by response name. */
interface PathNode {
  fields: number;
  below: Map<string, PathNode> | undefined;
}

function fragmentPairs(selectionSet: SelectionSetNode): number {
  let pairs = 0;
  const spread = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) spread.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (selection.selectionSet) pairs += fragmentPairs(selection.selectionSet);
    }
  };
  visit(selectionSet);
  return pairs + spread.size * spread.size;
}

/**
 * A document's validation work: pairs of fields answering at one response path, plus pairs of
 * fragments spread in one selection set. The walk stops once it has counted more than `enough`
 * pairs (one per field at least), so it is never longer than the budget it is checked against.
 */
function measure(document: DocumentNode, enough: number): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  let pairs = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
      pairs += fragmentPairs(definition.selectionSet);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations.push(definition);
      pairs += fragmentPairs(definition.selectionSet);
    }
  }
  // n fields at one path make n² pairs (each with itself too): the k-th adds 2k - 1.
  const count = (node: PathNode, set: SelectionSetNode, spreading: Set<string>) => {
    for (const selection of set.selections) {
      if (pairs > enough) return;
      if (selection.kind === Kind.FIELD) {
        node.below ??= new Map();
        const name = selection.alias?.value ?? selection.name.value;
        let path = node.below.get(name);
        if (!path) {
          path = { fields: 0, below: undefined };
          node.below.set(name, path);
        }
        path.fields += 1;
        pairs += 2 * path.fields - 1;
        if (selection.selectionSet) count(path, selection.selectionSet, spreading);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count(node, selection.selectionSet, spreading);
      } else {
        const fragment = fragments.get(selection.name.value);
        // A cycle is refused by validation itself; it is not followed here.
        if (!fragment || spreading.has(fragment.name.value)) continue;
        spreading.add(fragment.name.value);
        count(node, fragment.selectionSet, spreading);
        spreading.delete(fragment.name.value);
      }
    }
  };
  for (const operation of operations) count({ fields: 0, below: undefined }, operation.selectionSet, new Set());
  return pairs;
}

/**
 * Validation stops after this many errors (graphql-js's default is 100): each error locates
 * itself by scanning the document from its start, so 100 errors after 15,000 newlines took
 * 144 ms; ten say enough for a person to fix the document.
 */
const MAX_VALIDATION_ERRORS = 10;

/**
 * Refuses, before validation, a document whose validation would compare more field pairs than
 * the request has left (`maxPairs` per HTTP request, a batch's documents together). A document
 * the expansion bound refused is left to that refusal.
 */
export function useValidationWorkBound(maxPairs: number, maxExpandedSelections: number): Plugin {
  const spentByRequest = new WeakMap<Request, number>();
  // Measured once per document, for this bound (a walk stopped at another bound would differ).
  const pairsByDocument = new WeakMap<DocumentNode, number>();
  const pairsOf = (document: DocumentNode) => {
    let pairs = pairsByDocument.get(document);
    if (pairs === undefined) {
      pairs = measure(document, maxPairs);
      pairsByDocument.set(document, pairs);
    }
    return pairs;
  };
  const expandsTooFar = (schema: GraphQLSchema, document: DocumentNode) =>
    document.definitions.some(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        operationShape(schema, document, definition).expandedSelections > maxExpandedSelections,
    );
  return {
    onValidate({ context, params: { schema, documentAST }, setResult, validateFn, setValidationFn }) {
      // In graphql-js's order: schema, document, rules, options, then the deprecated TypeInfo.
      setValidationFn((...[schemaToValidate, document, rules, options, typeInfo]: Parameters<typeof validateFn>) =>
        validateFn(schemaToValidate, document, rules, { ...options, maxErrors: MAX_VALIDATION_ERRORS }, typeInfo),
      );
      if (expandsTooFar(schema, documentAST)) return;
      const request = (context as { request?: Request }).request;
      const spent = request ? (spentByRequest.get(request) ?? 0) : 0;
      const pairs = pairsOf(documentAST);
      if (spent + pairs > maxPairs) {
        const batch = spent > 0 ? ` (${spent} already spent by this request's other documents)` : "";
        const message = `Validating this document would compare ${pairs} pairs of fields answering at one path or fragments spread together${batch}; at most ${maxPairs} per request. Repeat a field less often, or merge fragments.`;
        setResult([limitExceeded("validation", message)]);
        return;
      }
      if (request) spentByRequest.set(request, spent + pairs);
    },
  };
}
