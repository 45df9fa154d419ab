import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { fieldPrice } from "../../schema/cost.js";

/**
 * The static measure of a document: what its operations can select, whatever their variables.
 * - `everyField`: the fields one selection set selects with fragments expanded, @skip and
 *   @include aside (an upper bound, for the bounds checked before variables are known).
 * - `operationShape`: an operation measured whole (expanded size, estimated cost, reachable
 *   coordinates), each fragment measured once per document and its measure reused wherever it
 *   is spread, so the walk is linear however fragments spread each other. Shapes are kept per
 *   document, and documents live only as long as the parse cache keeps them.
 * What execution will actually select, with the variables, is `coerced-operation.ts`'s.
 */

/**
 * The fields `selectionSet` selects at its own level, with inline fragments and fragment
 * spreads expanded and conditions ignored; each fragment at most once, which is also the
 * guard against cycles.
 */
export function* everyField(
  selectionSet: SelectionSetNode | undefined,
  fragment: (name: string) => { selectionSet: SelectionSetNode } | null | undefined,
  visited = new Set<string>(),
): Generator<FieldNode> {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      yield* everyField(selection.selectionSet, fragment, visited);
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      yield* everyField(fragment(selection.name.value)?.selectionSet, fragment, visited);
    }
  }
}

export interface OperationShape {
  /** Selections (fields, fragments, spreads) once every fragment is expanded where spread: what execution would walk. */
  expandedSelections: number;
  /** The estimated cost, `_entities` excepted: its size is known only with the variables. */
  cost: number;
  /** The fields selected at the root, each fragment expanded once, conditions aside. */
  rootFields: readonly FieldNode[];
  /** Each `_entities` root field, with the cost of one of its representations. */
  entities: readonly { field: FieldNode; costPerRepresentation: number }[];
  /** Every schema coordinate ("Type.field") the operation can reach, @skip and @include aside, with its first field. */
  reachable: ReadonlyMap<string, FieldNode>;
  /** Whether any selection of the document carries @skip or @include. */
  conditional: boolean;
}

interface Measure {
  selections: number;
  cost: number;
  /** At most one entry per schema coordinate, so merging measures keeps the walk linear. */
  reachable: ReadonlyMap<string, FieldNode>;
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
  private conditional: boolean | undefined;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly document: DocumentNode,
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
      conditional: this.isConditional(),
    };
  }

  /** Whether any selection of the document, in an operation or a fragment, carries @skip or @include. */
  private isConditional(): boolean {
    if (this.conditional !== undefined) return this.conditional;
    const conditional = (set: SelectionSetNode | undefined): boolean =>
      !!set?.selections.some(
        (selection) =>
          !!selection.directives?.some(({ name }) => name.value === "skip" || name.value === "include") ||
          (selection.kind !== Kind.FRAGMENT_SPREAD && conditional(selection.selectionSet)),
      );
    this.conditional = this.document.definitions.some(
      (definition) =>
        (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) &&
        conditional(definition.selectionSet),
    );
    return this.conditional;
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
    return [...everyField(selectionSet, (name) => this.fragments.get(name))];
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
