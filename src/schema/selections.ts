import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";
import { fieldPrice } from "./cost.js";

/**
 * The one walker over selections, in two forms, both linear in the document however often
 * fragments spread each other (a fragment DAG of depth n expands to 2^n selections):
 * - `collectFields`: the fields one selection set selects, each fragment expanded at most
 *   once, as graphql-js collects them for execution. Root fields, the introspection budget
 *   and the secret selection read operations through it.
 * - `operationShape`: an operation measured whole (expanded size, estimated cost), each
 *   fragment measured once per document and its measure reused wherever it is spread. It
 *   counts every spread (an upper bound of what execution walks). Shapes are kept per
 *   document, and documents live only as long as the parse cache keeps them.
 */

/** Whether a selection is included (its @skip and @include), when the variables are known. */
type Included = (selection: SelectionNode) => boolean;

/** @skip and @include with these variables; a condition that does not coerce counts as included (execution refuses it). */
export function includedWith(variables: Readonly<Record<string, unknown>> | null | undefined): Included {
  return (node) => {
    if (!node.directives?.length) return true;
    try {
      return (
        getDirectiveValues(GraphQLSkipDirective, node, variables ?? undefined)?.if !== true &&
        getDirectiveValues(GraphQLIncludeDirective, node, variables ?? undefined)?.if !== false
      );
    } catch {
      return true;
    }
  };
}

/**
 * The fields `selectionSet` selects at its own level, with inline fragments and fragment
 * spreads expanded; each fragment at most once, which is also the guard against cycles.
 */
export function* collectFields(
  selectionSet: SelectionSetNode | undefined,
  fragment: (name: string) => { selectionSet: SelectionSetNode } | null | undefined,
  included: Included = () => true,
  visited = new Set<string>(),
): Generator<FieldNode> {
  for (const selection of selectionSet?.selections ?? []) {
    if (!included(selection)) continue;
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      yield* collectFields(selection.selectionSet, fragment, included, visited);
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      yield* collectFields(fragment(selection.name.value)?.selectionSet, fragment, included, visited);
    }
  }
}

export interface OperationShape {
  /** Selections (fields, fragments, spreads) once every fragment is expanded where spread: what execution would walk. */
  expandedSelections: number;
  /** The estimated cost, `_entities` excepted: its size is known only with the variables. */
  cost: number;
  /** The fields selected at the root, each fragment expanded once, as execution collects them. */
  rootFields: readonly FieldNode[];
  /** Each `_entities` root field, with the cost of one of its representations. */
  entities: readonly { field: FieldNode; costPerRepresentation: number }[];
  /** Every schema coordinate ("Type.field") the operation can reach, @skip and @include aside, with its first field. */
  reachable: ReadonlyMap<string, FieldNode>;
}

interface Measure {
  selections: number;
  cost: number;
  /** At most one entry per schema coordinate, so merging measures keeps the walk linear. */
  reachable: ReadonlyMap<string, FieldNode>;
}

/**
 * Whether the operation selects `fieldName` directly on the value a resolver returns, through
 * fragments too, honouring @skip and @include.
 */
export function selectsField(info: GraphQLResolveInfo, fieldName: string): boolean {
  const included = includedWith(info.variableValues);
  const fragment = (name: string) => info.fragments[name];
  for (const node of info.fieldNodes) {
    if (!included(node)) continue;
    for (const field of collectFields(node.selectionSet, fragment, included)) {
      if (field.name.value === fieldName) return true;
    }
  }
  return false;
}

const NOTHING: Measure = { selections: 0, cost: 0, reachable: new Map() };
/** A fragment being measured: met again inside itself, it is a cycle, refused by validation. */
const MEASURING: Measure = { selections: 0, cost: 0, reachable: new Map() };

function reach(into: Map<string, FieldNode>, from: ReadonlyMap<string, FieldNode>) {
  for (const [coordinate, field] of from) if (!into.has(coordinate)) into.set(coordinate, field);
}

/** The fields of a composite type, or none (a union has only `__typename`). */
function fieldOf(type: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!type || name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) return undefined;
  return type.getFields()[name];
}

function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

class DocumentShapes {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, Measure>();
  private readonly shapes = new Map<OperationDefinitionNode, OperationShape>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION && !this.fragments.has(definition.name.value)) {
        this.fragments.set(definition.name.value, definition);
      }
    }
  }

  shapeOf(operation: OperationDefinitionNode): OperationShape {
    let shape = this.shapes.get(operation);
    if (!shape) {
      shape = this.measureOperation(operation);
      this.shapes.set(operation, shape);
    }
    return shape;
  }

  private measureOperation(operation: OperationDefinitionNode): OperationShape {
    const root = this.schema.getRootType(operation.operation) ?? undefined;
    const { selections, cost, reachable } = this.measure(operation.selectionSet, root);
    const rootFields = this.rootFields(operation.selectionSet);
    const entities: OperationShape["entities"][number][] = [];
    let entityCostCounted = 0;
    for (const field of rootFields) {
      const definition = field.name.value === "_entities" ? fieldOf(root, "_entities") : undefined;
      if (!definition) continue;
      const price = fieldPrice(this.schema, definition);
      const type = getNamedType(definition.type);
      const inner = field.selectionSet && isCompositeType(type) ? this.measure(field.selectionSet, type) : NOTHING;
      const costPerRepresentation = price.weight + inner.cost;
      // The walk above priced this field as a list of one; its price comes with its representations.
      entityCostCounted += price.listSize * costPerRepresentation;
      entities.push({ field, costPerRepresentation });
    }
    return {
      expandedSelections: selections,
      cost: Math.max(0, cost - entityCostCounted),
      rootFields,
      entities,
      reachable,
    };
  }

  /** Every selection counts one toward the expanded size; fields are priced by the schema's model. */
  private measure(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType | undefined): Measure {
    let selections = 0;
    let cost = 0;
    const reachable = new Map<string, FieldNode>();
    for (const selection of selectionSet.selections) {
      selections += 1;
      let inner = NOTHING;
      if (selection.kind === Kind.FIELD) {
        // Unknown fields are refused by validation; introspection has a budget of its own.
        const field = fieldOf(parentType, selection.name.value);
        const type = field && getNamedType(field.type);
        if (selection.selectionSet) {
          inner = this.measure(selection.selectionSet, type && isCompositeType(type) ? type : undefined);
        }
        if (field) {
          const price = fieldPrice(this.schema, field);
          cost += price.listSize * (price.weight + inner.cost);
          const coordinate = `${parentType!.name}.${field.name}`;
          if (!reachable.has(coordinate)) reachable.set(coordinate, selection);
        }
        selections += inner.selections;
        reach(reachable, inner.reachable);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        inner = this.measure(selection.selectionSet, condition ? compositeType(this.schema, condition) : parentType);
      } else {
        inner = this.measureFragment(selection.name.value);
      }
      selections += inner.selections;
      cost += inner.cost;
      reach(reachable, inner.reachable);
    }
    return { selections, cost, reachable };
  }

  private measureFragment(name: string): Measure {
    const known = this.measured.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return NOTHING;
    this.measured.set(name, MEASURING);
    const measure = this.measure(fragment.selectionSet, compositeType(this.schema, fragment.typeCondition.name.value));
    this.measured.set(name, measure);
    return measure;
  }

  private rootFields(selectionSet: SelectionSetNode): FieldNode[] {
    return [...collectFields(selectionSet, (name) => this.fragments.get(name))];
  }
}

const shapesBySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentShapes>>();

/** The shape of one operation of a document, measured once per document and schema. */
export function operationShape(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): OperationShape {
  let byDocument = shapesBySchema.get(schema);
  if (!byDocument) {
    byDocument = new WeakMap();
    shapesBySchema.set(schema, byDocument);
  }
  let shapes = byDocument.get(document);
  if (!shapes) {
    shapes = new DocumentShapes(schema, document);
    byDocument.set(document, shapes);
  }
  return shapes.shapeOf(operation);
}
