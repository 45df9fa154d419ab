import { readFileSync } from "node:fs";
import {
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  valueFromASTUntyped,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApplicationsSubgraph } from "../src/dev-supergraph/applications-subgraph.js";
import { composeGuild, type Subgraph } from "../src/dev-supergraph/compose.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { operationShape } from "../src/graphql/analysis/document-shape.js";
import { PUBLIC, REQUIRED_SCOPES, requirementOf } from "../src/permissions/table.js";
import { COST_WEIGHTS } from "../src/schema/cost.js";
import { schema } from "../src/schema/schema.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";
import { composeApollo } from "./support/supergraph.js";

/**
 * One permission table, two enforcers: what the published SDL declares to routers is what
 * the table says and what graphql-shield enforces, and it survives both compositions.
 */

let stack: Stack;
let applications: Awaited<ReturnType<typeof startApplicationsSubgraph>>;
let served: DocumentNode;
let subgraphs: Subgraph[];

beforeAll(async () => {
  stack = await startStack();
  applications = await startApplicationsSubgraph();
  const { body } = await stack.graphql(`{ _service { sdl } }`, { token: null });
  served = parse(body.data!._service.sdl);
  subgraphs = [
    { name: "oauth-clients", typeDefs: served, url: stack.facade.graphqlUrl },
    { name: "applications", typeDefs: applications.typeDefs, url: applications.url },
  ];
});
afterAll(async () => {
  await applications?.close();
  await stack?.close();
});

type Directives = readonly ConstDirectiveNode[] | undefined;
const argument = (directives: Directives, name: string, arg: string) => {
  const value = directives?.find((d) => d.name.value === name)?.arguments?.find((a) => a.name.value === arg)?.value;
  return value === undefined ? undefined : valueFromASTUntyped(value);
};

/** Every field definition of the object types in an SDL, by coordinate. */
function fieldsOf(document: DocumentNode): Map<string, FieldDefinitionNode> {
  const fields = new Map<string, FieldDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) fields.set(`${definition.name.value}.${field.name.value}`, field);
  }
  return fields;
}

/** What the table says a router should demand of each of the subgraph's fields. */
function expectedScopes(coordinate: string): string[][] | undefined {
  const requirement = requirementOf(coordinate);
  return requirement === undefined || requirement === PUBLIC ? undefined : requirement.map((scope) => [scope]);
}

describe("the published SDL declares the permission table", () => {
  it("puts @authenticated and the table's @requiresScopes on every covered field, and on no other", () => {
    const fields = fieldsOf(served);
    expect(fields.size).toBeGreaterThan(25);
    for (const [coordinate, field] of fields) {
      const expected = expectedScopes(coordinate);
      expect(argument(field.directives, "requiresScopes", "scopes"), coordinate).toEqual(expected);
      const authenticated = field.directives?.some((d) => d.name.value === "authenticated") ?? false;
      expect(authenticated, coordinate).toBe(expected !== undefined);
    }
    // The coordinates the issue names, spelled out once so the table cannot drift from them silently.
    expect(argument(fields.get("Query.oauthClient")!.directives, "requiresScopes", "scopes")).toEqual([[READ]]);
    expect(argument(fields.get("OAuthClient.clientSecret")!.directives, "requiresScopes", "scopes")).toEqual([
      [MANAGE],
    ]);
    expect(argument(fields.get("Mutation.regenerateClientSecret")!.directives, "requiresScopes", "scopes")).toEqual([
      [MANAGE],
    ]);
    expect(argument(fields.get("OAuthClient.name")!.directives, "requiresScopes", "scopes")).toEqual([
      [READ],
      [MANAGE],
    ]);
  });

  it("says in the first paragraph of every covered field's description what it means, then its scope: GraphiQL's field list shows that paragraph", () => {
    for (const [coordinate, field] of fieldsOf(served)) {
      const expected = expectedScopes(coordinate);
      if (!expected) continue;
      const scopes = expected.flat();
      const wording =
        scopes.length === 1 ? `Requires the scope ${scopes[0]}.` : `Requires one of the scopes ${scopes.join(", ")}.`;
      const first = field.description?.value.split("\n\n")[0] ?? "";
      expect(first.endsWith(` ${wording}`), `${coordinate}: ${first}`).toBe(true);
      // What the field means, a sentence of its own before the scope.
      expect(first.slice(0, -wording.length).trim().length, coordinate).toBeGreaterThan(10);
    }
  });

  it("links Federation 2.9 and imports exactly the directives it uses", () => {
    const link = served.definitions.find((d) => d.kind === Kind.SCHEMA_EXTENSION)!;
    const directives = (link as { directives?: Directives }).directives;
    expect(argument(directives, "link", "url")).toBe("https://specs.apollo.dev/federation/v2.9");
    expect(argument(directives, "link", "import")).toEqual([
      "@authenticated",
      "@cost",
      "@key",
      "@listSize",
      "@requiresScopes",
    ]);
  });

  it("declares @cost with the cost model's weights, on exactly the weighted types and fields", () => {
    const declared: Record<string, number> = {};
    for (const definition of served.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      const weight = argument(definition.directives, "cost", "weight");
      if (weight !== undefined) declared[definition.name.value] = Number(weight);
    }
    for (const [coordinate, field] of fieldsOf(served)) {
      const weight = argument(field.directives, "cost", "weight");
      if (weight !== undefined) declared[coordinate] = Number(weight);
    }
    expect(declared).toEqual(COST_WEIGHTS);
  });
});

describe("what a caller reads about scopes", () => {
  it("in docs/security.md's permission table is the table, row for row", () => {
    const readme = readFileSync(new URL("../docs/security.md", import.meta.url), "utf8");
    const table = readme.slice(
      readme.indexOf("| coordinate "),
      readme.indexOf("\n\n", readme.indexOf("| coordinate ")),
    );
    const rows = Object.fromEntries(
      table
        .split("\n")
        .slice(2)
        .map((row) => {
          const [coordinate = "", scopes = ""] = row.split("|").slice(1, 3);
          const key = /every other field of `(\w+)`/.exec(coordinate)?.[1] ?? coordinate.trim().replaceAll("`", "");
          return [key, [...scopes.matchAll(/`([^`]+)`/g)].map((match) => match[1])];
        }),
    );
    const covered = Object.fromEntries(
      Object.entries(REQUIRED_SCOPES).filter(([, requirement]) => requirement !== PUBLIC),
    );
    expect(rows).toEqual(covered);
  });
});

describe("graphql-shield enforces what the directives declare", () => {
  const verdict = (scopes: string[], required: string[][]) =>
    required.some((all) => all.every((s) => scopes.includes(s)));
  const tokens: [string, string[]][] = [
    ["read only", [READ]],
    ["manage only", [MANAGE]],
    ["read and manage", [READ, MANAGE]],
    ["another scope", ["profile"]],
  ];

  for (const [who, scopes] of tokens) {
    it(`refuses a ${who} token exactly the root fields and the secret whose @requiresScopes it lacks`, async () => {
      const fields = fieldsOf(served);
      const token = await stack.mint(scopes);
      const forbidden = (errors: { extensions?: { code?: string } }[] | undefined) =>
        (errors ?? []).some((error) => error.extensions?.code === "FORBIDDEN");

      const read = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }`, { token });
      const readAllowed = verdict(
        scopes,
        argument(fields.get("Query.oauthClient")!.directives, "requiresScopes", "scopes") as string[][],
      );
      expect(forbidden(read.body.errors)).toBe(!readAllowed);

      if (readAllowed) {
        const secret = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`, { token });
        const required = argument(fields.get("OAuthClient.clientSecret")!.directives, "requiresScopes", "scopes");
        expect(forbidden(secret.body.errors)).toBe(!verdict(scopes, required as string[][]));
      }

      // A malformed id: allowed callers reach the resolver and get BAD_USER_INPUT; nothing is regenerated.
      const regenerate = await stack.graphql(
        `mutation { regenerateClientSecret(input: { clientId: "not-a-uuid" }) { client { id clientSecret } } }`,
        { token },
      );
      const required = argument(fields.get("Mutation.regenerateClientSecret")!.directives, "requiresScopes", "scopes");
      const allowed = verdict(scopes, required as string[][]);
      expect(forbidden(regenerate.body.errors)).toBe(!allowed);
      if (allowed) expect(regenerate.body.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    });
  }
});

describe("both compositions carry the permission table into the supergraph", () => {
  /** Coordinate → scopes as the supergraph declares them. */
  function supergraphScopes(supergraphSdl: string): Record<string, unknown> {
    const scopes: Record<string, unknown> = {};
    for (const [coordinate, field] of fieldsOf(parse(supergraphSdl))) {
      const declared = argument(field.directives, "requiresScopes", "scopes");
      if (declared !== undefined) scopes[coordinate] = declared;
    }
    return scopes;
  }

  const expected = () => {
    const scopes: Record<string, unknown> = {};
    for (const coordinate of fieldsOf(served).keys()) {
      const required = expectedScopes(coordinate);
      if (required) scopes[coordinate] = required;
    }
    return scopes;
  };

  it("with @apollo/composition (rover's), on exactly the table's coordinates", () => {
    const supergraph = composeApollo(subgraphs);
    expect(supergraphScopes(supergraph)).toEqual(expected());
    expect(supergraph).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.1", for: SECURITY\)/);
    expect(supergraph).toMatch(/type OAuthClient[^{]*@cost\(weight: 10\)/);
  });

  it("with @theguild/federation-composition (Hive's), on exactly the table's coordinates", () => {
    const supergraph = composeGuild(subgraphs);
    expect(supergraphScopes(supergraph)).toEqual(expected());
    expect(supergraph).toMatch(/type OAuthClient[^{]*@cost\(weight: 10\)/);
  });
});

describe("the cost model", () => {
  const shape = (query: string) => {
    const document = parse(query);
    return operationShape(schema, document, document.definitions[0] as OperationDefinitionNode);
  };
  const cost = (query: string) => shape(query).cost;

  it("prices an upstream call at 10, an object at 1, and a list at ten items", () => {
    expect(cost(`{ oauthClient(id: "x") { id name } }`)).toBe(10);
    expect(cost(`{ oauthClient(id: "x") { id clientSecret } }`)).toBe(20);
    expect(cost(`{ a: oauthClient(id: "x") { id } b: oauthClient(id: "y") { id } }`)).toBe(20);
    expect(cost(`{ oauthClient(id: "x") { applicationBindings { config { jsonConfig } } } }`)).toBe(10 + 10 + 10);
    expect(cost(`mutation { regenerateClientSecret(input: { clientId: "x" }) { client { clientSecret } } }`)).toBe(
      10 + 1 + 10 + 10,
    );
  });

  it("counts a fragment once per spread", () => {
    expect(
      cost(
        `{ a: oauthClient(id: "x") { ...F } b: oauthClient(id: "y") { ...F } } fragment F on OAuthClient { clientSecret }`,
      ),
    ).toBe(40);
  });

  it("prices _entities per representation, at an OAuthClient's weight plus its selection", () => {
    const { cost: fixed, entities } = shape(
      `query E($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { id clientSecret } } }`,
    );
    expect(fixed).toBe(0);
    expect(entities.map((entity) => entity.costPerRepresentation)).toEqual([10 + 10]);
  });

  it("measures a fragment once however often it is spread: a DAG of depth 60 is measured, not expanded", () => {
    const depth = 60;
    const fragments = Array.from({ length: depth }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    const query = `query Q { ...F0 } ${fragments.join(" ")} fragment F${depth} on Query { oauthClient(id: "x") { id } }`;
    const measured = shape(query);
    // Each level doubles: 2^60 leaves, each an upstream call (10) plus an id (0).
    expect(measured.expandedSelections).toBeGreaterThan(2 ** 60);
    expect(measured.cost).toBe(10 * 2 ** 60);
    expect(measured.rootFields).toHaveLength(1);
  });
});
