import { type ExecutionArgs, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { coerceOperation, executedCoordinates } from "../src/graphql/analysis/coerced-operation.js";
import { operationShape } from "../src/graphql/analysis/document-shape.js";
import { schema } from "../src/schema/schema.js";

/** Document analysis on its own, fast: the coerced view of an operation, and the cost model. */

const ID = "550e8400-e29b-41d4-a716-446655440000";
const view = (query: string, variableValues: Record<string, unknown> = {}) => {
  const coerced = coerceOperation({ schema, document: parse(query), variableValues } as ExecutionArgs);
  if (!coerced || Array.isArray(coerced)) throw new Error("no operation view");
  return coerced as Exclude<typeof coerced, readonly unknown[] | undefined>;
};

describe("the coerced view of an operation", () => {
  it("applies variables' defaults, and collects the root fields as execution does", () => {
    const operation = view(
      `query($show: Boolean = false, $id: ID = "${ID}") { a: oauthClient(id: $id) { id } b: oauthClient(id: $id) @include(if: $show) { id } }`,
    );
    expect(operation.variables).toEqual({ show: false, id: ID });
    expect([...operation.rootFields.keys()]).toEqual(["a"]);
  });

  it("answers graphql-js's own errors for variables that do not coerce", () => {
    const errors = coerceOperation({
      schema,
      document: parse("query($show: Boolean!) { __typename @include(if: $show) }"),
      variableValues: { show: "yes" },
    } as ExecutionArgs);
    expect(Array.isArray(errors) && errors[0]!.message).toMatch(/^Variable "\$show" got invalid value/);
  });

  it("finds a root argument execution would refuse: null through a nullable variable with a default", () => {
    const operation = view(`query($id: ID = "${ID}") { oauthClient(id: $id) { id } }`, { id: null });
    expect(operation.argumentError?.error.message).toMatch(/^Argument "id" of non-null type "ID!"/);
    const given = view(`query($id: ID = "${ID}") { oauthClient(id: $id) { id } }`);
    expect(given.argumentError).toBeUndefined();
    expect(given.rootArguments.get(given.rootFields.get("oauthClient")![0]!)).toEqual({ id: ID });
  });

  it("lists the coordinates execution resolves, through fragments and conditions", () => {
    const operation = view(
      `mutation($no: Boolean = false) { regenerateClientSecret(input: { clientId: "${ID}" }) { client { ...F name @include(if: $no) } } } fragment F on OAuthClient { clientSecret }`,
    );
    expect([...executedCoordinates(operation).keys()].sort()).toEqual([
      "Mutation.regenerateClientSecret",
      "OAuthClient.clientSecret",
      "RegenerateClientSecretPayload.client",
    ]);
  });
});

describe("the cost model", () => {
  const cost = (query: string) => {
    const document = parse(query);
    const operation = document.definitions[0]!;
    if (operation.kind !== "OperationDefinition") throw new Error("not an operation");
    return operationShape(schema, document, operation).cost;
  };

  it("prices a read by its upstream call, a secret as a second, and aliases each", () => {
    const one = cost(`{ oauthClient(id: "${ID}") { id name } }`);
    expect(one).toBeGreaterThan(0);
    expect(cost(`{ a: oauthClient(id: "${ID}") { id } b: oauthClient(id: "${ID}") { id } }`)).toBe(2 * one);
    expect(cost(`{ oauthClient(id: "${ID}") { id clientSecret } }`)).toBe(one + 10);
  });
});
