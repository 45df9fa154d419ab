import {
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
} from "graphql";
import { collectFields, collectSubfields } from "graphql/execution/collectFields.js";

/**
 * An operation read exactly as graphql-js's execution will read it: its variables coerced,
 * defaults included, by graphql's own `getVariableValues`, and its fields collected by
 * graphql's own `collectFields` (@skip, @include, fragments and type conditions). Every check
 * made before execution (admission, permissions, rotations) reads the operation through this
 * view, so none can disagree with what then runs.
 */
export interface CoercedOperation {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** The variables as execution coerces them: defaults applied, values of their declared types. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** The root fields, by response name, as execution collects them. */
  readonly rootFields: ReadonlyMap<string, readonly FieldNode[]>;
  /** The arguments of each root field that takes any (by the field node execution reads them from), coerced. */
  readonly rootArguments: ReadonlyMap<FieldNode, Readonly<Record<string, unknown>>>;
  /**
   * The first root field whose arguments execution would refuse (a null given for a non-null
   * argument through a variable, a variable execution treats as not given), with graphql-js's
   * error. Only root fields take arguments in this schema (test/hostile-callers-round-three.test.ts
   * holds that), so these are every argument execution will read.
   */
  readonly argumentError: { field: FieldNode; error: GraphQLError } | undefined;
}

/** The fragments of a document by name, as execution indexes them; kept as long as the document is. */
const fragmentsByDocument = new WeakMap<DocumentNode, Record<string, FragmentDefinitionNode>>();

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  let fragments = fragmentsByDocument.get(document);
  if (!fragments) {
    fragments = Object.create(null) as Record<string, FragmentDefinitionNode>;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    fragmentsByDocument.set(document, fragments);
  }
  return fragments;
}

/**
 * The operation execution will run, or the errors with which it will refuse its variables
 * (graphql-js's own, worded as execution words them). Undefined when there is no operation
 * to run (no such name, no root type): execution answers that itself.
 */
export function coerceOperation(args: ExecutionArgs): CoercedOperation | readonly GraphQLError[] | undefined {
  const { schema, document } = args;
  const operation = getOperationAST(document, args.operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return undefined;
  // Ten errors, as validation: each locates itself by scanning the document's lines.
  const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], args.variableValues ?? {}, {
    maxErrors: 10,
  });
  if (coercion.errors) return coercion.errors;
  const fragments = fragmentsOf(document);
  const variables = coercion.coerced;
  const rootFields = collectFields(schema, fragments, variables, rootType, operation.selectionSet);
  const rootArguments = new Map<FieldNode, Record<string, unknown>>();
  let argumentError: CoercedOperation["argumentError"];
  for (const fieldNodes of rootFields.values()) {
    const field = fieldNodes[0]!;
    const definition = rootType.getFields()[field.name.value];
    if (!definition?.args.length) continue;
    try {
      rootArguments.set(field, getArgumentValues(definition, field, variables));
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      argumentError ??= { field, error };
    }
  }
  return { schema, operation, fragments, variables, rootFields, rootArguments, argumentError };
}

/** The fields execution selects on a value of `type` that `fieldNodes` (one response name) resolved to. */
function subfieldsOf(
  view: CoercedOperation,
  type: GraphQLObjectType,
  fieldNodes: readonly FieldNode[],
): ReadonlyMap<string, readonly FieldNode[]> {
  return collectSubfields(view.schema, view.fragments, view.variables, type, fieldNodes);
}

/**
 * Every schema coordinate ("Type.field") execution can resolve for this operation, with a
 * field node that selects it: each response name's subfields collected as execution collects
 * them, for every object type an abstract type may resolve to. Each coordinate is walked
 * below once per parent field set, so the walk is as large as the operation's expansion,
 * which the validation bound keeps small.
 */
export function executedCoordinates(view: CoercedOperation): Map<string, FieldNode> {
  const coordinates = new Map<string, FieldNode>();
  const rootType = view.schema.getRootType(view.operation.operation);
  if (!rootType) return coordinates;
  const walk = (parent: GraphQLObjectType, fields: ReadonlyMap<string, readonly FieldNode[]>) => {
    for (const fieldNodes of fields.values()) {
      const node = fieldNodes[0]!;
      const name = node.name.value;
      const field = name.startsWith("__") ? undefined : parent.getFields()[name];
      if (!field) continue;
      const coordinate = `${parent.name}.${name}`;
      if (!coordinates.has(coordinate)) coordinates.set(coordinate, node);
      const type = getNamedType(field.type);
      const runtimeTypes = isObjectType(type) ? [type] : isAbstractType(type) ? view.schema.getPossibleTypes(type) : [];
      for (const runtimeType of runtimeTypes) walk(runtimeType, subfieldsOf(view, runtimeType, fieldNodes));
    }
  };
  walk(rootType, view.rootFields);
  return coordinates;
}
