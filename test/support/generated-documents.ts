import fc from "fast-check";
import { EXAMPLE_CLIENT_ID, fixtureClientId } from "../../src/dev-upstream/seed.js";

/**
 * Generated GraphQL documents over this schema, for the differential and property tests:
 * several operations per document, fragments spread several times under different
 * conditions, @skip/@include on literals and on variables with and without defaults, aliases,
 * `_entities`, rotations, and ids that exist, do not, or are malformed.
 */

const UNKNOWN_CLIENT_ID = "00000000-0000-4000-8000-000000000000";
/** The clients the documents name: a few, so that they meet each other. */
export const GENERATED_CLIENT_IDS = [EXAMPLE_CLIENT_ID, fixtureClientId(1), fixtureClientId(2)];

export interface GeneratedDocument {
  text: string;
  /** The operations' names, each run by its own request. */
  operations: { name: string; kind: "query" | "mutation" }[];
  /** The variables sent with every operation of the document (those it declares without defaults). */
  variables: Record<string, unknown>;
}

/** Variables a condition or an id may use: declared only by operations that use them. */
const VARIABLES: Record<string, { declaration: string; value?: unknown }> = {
  $yes: { declaration: "$yes: Boolean = true" },
  $no: { declaration: "$no: Boolean = false" },
  $given: { declaration: "$given: Boolean!", value: false },
  $defaultYesGivenNo: { declaration: "$defaultYesGivenNo: Boolean = true", value: false },
  $id: { declaration: `$id: ID = "${EXAMPLE_CLIENT_ID}"` },
  $other: { declaration: "$other: ID!", value: fixtureClientId(1) },
};

const someCondition = fc.option(
  fc
    .tuple(
      fc.constantFrom("skip", "include"),
      fc.constantFrom("true", "false", "$yes", "$no", "$given", "$defaultYesGivenNo"),
    )
    .map(([name, value]) => ` @${name}(if: ${value})`),
  { nil: "", freq: 2 },
);

/** The secret twice: what rotations must answer is what the properties are about. */
const CLIENT_FIELDS = [
  "id",
  "name",
  "description",
  "clientSecret",
  "clientSecret",
  "isVerified",
  "createdAt",
  "allowedDelegators",
  "applicationBindings { applicationId config { jsonConfig } }",
];

/** The generators below take `condition`: a directive to put on a selection, or none. */
type Condition = fc.Arbitrary<string>;

const field = (condition: Condition) =>
  fc.tuple(fc.constantFrom(...CLIENT_FIELDS), fc.boolean(), condition).map(([name, aliased, directive]) => {
    // One alias per field, so that selections merge rather than conflict.
    const [head, ...rest] = name.split(" ");
    return `${aliased ? `a_${head}: ` : ""}${head}${directive}${rest.length ? ` ${rest.join(" ")}` : ""}`;
  });

/** Selections on an OAuthClient; `spreads` are the fragments it may spread. */
function clientSelections(condition: Condition, spreads: string[], depth: number): fc.Arbitrary<string> {
  const spread = spreads.length
    ? fc.tuple(fc.constantFrom(...spreads), condition).map(([name, directive]) => `...${name}${directive}`)
    : field(condition);
  const inline =
    depth > 0
      ? fc
          .tuple(
            fc.constantFrom("... on OAuthClient", "..."),
            condition,
            clientSelections(condition, spreads, depth - 1),
          )
          .map(([head, directive, inner]) => `${head}${directive} { ${inner} }`)
      : field(condition);
  return fc
    .array(fc.oneof({ arbitrary: field(condition), weight: 4 }, { arbitrary: spread, weight: 3 }, inline), {
      minLength: 1,
      maxLength: 5,
    })
    .map((items) => items.join(" "));
}

const clientId = fc.constantFrom(
  ...GENERATED_CLIENT_IDS.map((id) => `"${id}"`),
  `"${UNKNOWN_CLIENT_ID}"`,
  `"not-a-uuid"`,
  "$id",
  "$other",
);

/** Where a root field's alias goes, replaced by one unique in its operation. */
const ALIAS = "%ALIAS%";

function rootField(condition: Condition, kind: "query" | "mutation", spreads: string[]): fc.Arbitrary<string> {
  const selections = clientSelections(condition, spreads, 1);
  if (kind === "mutation") {
    return fc
      .tuple(clientId, condition, selections)
      .map(
        ([id, directive, inner]) =>
          `${ALIAS}: regenerateClientSecret(input: { clientId: ${id} })${directive} { client { ${inner} } }`,
      );
  }
  const read = fc
    .tuple(clientId, condition, selections)
    .map(([id, directive, inner]) => `${ALIAS}: oauthClient(id: ${id})${directive} { ${inner} }`);
  const entities = fc
    .tuple(fc.subarray(GENERATED_CLIENT_IDS, { minLength: 1 }), condition, selections)
    .map(
      ([ids, directive, inner]) =>
        `${ALIAS}: _entities(representations: [${ids.map((id) => `{ __typename: "OAuthClient", id: "${id}" }`).join(", ")}])${directive} { ... on OAuthClient { ${inner} } }`,
    );
  return fc.oneof({ arbitrary: read, weight: 4 }, entities, fc.constant("__typename"));
}

/** The variables an operation's text uses, declared in its header. */
function declared(body: string): string {
  const used = Object.keys(VARIABLES).filter((name) => new RegExp(`\\${name}\\b`).test(body));
  return used.length ? `(${used.map((name) => VARIABLES[name]!.declaration).join(", ")})` : "";
}

/**
 * A document of one to three operations, queries and (when `mutations`) rotations, and the
 * fragments they spread; its selections carry @skip and @include when `conditions`.
 */
export function generatedDocument(options: {
  mutations: boolean;
  conditions: boolean;
}): fc.Arbitrary<GeneratedDocument> {
  const { mutations } = options;
  const condition = options.conditions ? someCondition : fc.constant("");
  const kinds = mutations ? fc.constantFrom("query" as const, "mutation" as const) : fc.constant("query" as const);
  const fragments = fc.tuple(clientSelections(condition, [], 1), clientSelections(condition, ["F0"], 1));
  const operation = kinds.chain((kind) =>
    fc
      .array(rootField(condition, kind, ["F0", "F1"]), { minLength: 1, maxLength: 3 })
      // Each root field its own alias (r0, c1, …): one alias with two ids would not validate.
      .map((fields) => ({
        kind,
        body: fields.map((field, index) => field.replace(ALIAS, `${kind[0]}${index}`)).join(" "),
      })),
  );
  return fc.tuple(fc.array(operation, { minLength: 1, maxLength: 3 }), fragments).map(([operations, [f0, f1]]) => {
    const named = operations.map((op, index) => ({ ...op, name: `Op${index}` }));
    // An operation declares the variables of the fragments it reaches too.
    const reached = (body: string) => {
      let text = body;
      if (/\.\.\.F1\b/.test(text)) text += ` ${f1}`;
      if (/\.\.\.F0\b/.test(text)) text += ` ${f0}`;
      return text;
    };
    const definitions = named.map(({ kind, name, body }) => `${kind} ${name}${declared(reached(body))} { ${body} }`);
    let text = definitions.join("\n");
    // Only fragments some operation reaches: an unused one is a validation error.
    const usesF1 = /\.\.\.F1\b/.test(text);
    const usesF0 = /\.\.\.F0\b/.test(text) || (usesF1 && /\.\.\.F0\b/.test(f1));
    if (usesF1) text += `\nfragment F1 on OAuthClient { ${f1} }`;
    if (usesF0) text += `\nfragment F0 on OAuthClient { ${f0} }`;
    const variables: Record<string, unknown> = {};
    for (const [name, { value }] of Object.entries(VARIABLES)) {
      if (value !== undefined && new RegExp(`\\${name}\\b`).test(text)) variables[name.slice(1)] = value;
    }
    return { text, operations: named.map(({ name, kind }) => ({ name, kind })), variables };
  });
}

/** The seed of the generated runs: fixed, so that CI runs the same cases; FC_SEED explores others. */
export const PROPERTY_SEED = Number(process.env.FC_SEED ?? 20261207);
