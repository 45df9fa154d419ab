import { isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { REQUIRED_SCOPES } from "../src/permissions/table.js";
import { schema } from "../src/schema/schema.js";

/** Field names that hold or hand out credentials must never be open by default. */
const SENSITIVE = /secret|token|password|credential|private|key$/i;
/** Names that match but were looked at and hold no credential: a new match must be decided on. */
const NOT_CREDENTIALS = new Set(["OAuthClient.supportsRefreshToken"]);

describe("the permission table", () => {
  const rootTypes = [schema.getQueryType(), schema.getMutationType()].filter((type) => type != null);

  it("has a rule for every root field: none is reachable by falling through", () => {
    const unruled = rootTypes.flatMap((type) =>
      Object.keys(type.getFields())
        .map((field) => `${type.name}.${field}`)
        .filter((coordinate) => !(coordinate in REQUIRED_SCOPES)),
    );
    expect(unruled).toEqual([]);
  });

  it("has a rule for every field whose name says it is sensitive", () => {
    const sensitive = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith("__"))
      .flatMap((type) =>
        Object.keys((type as { getFields(): object }).getFields())
          .filter((field) => SENSITIVE.test(field))
          .map((field) => `${type.name}.${field}`)
          .filter((coordinate) => !NOT_CREDENTIALS.has(coordinate)),
      );
    expect(sensitive).toContain("OAuthClient.clientSecret");
    expect(sensitive.filter((coordinate) => !(coordinate in REQUIRED_SCOPES))).toEqual([]);
  });

  it("names only types and fields that exist in the schema", () => {
    for (const coordinate of Object.keys(REQUIRED_SCOPES)) {
      const [typeName, fieldName] = coordinate.split(".") as [string, string?];
      const type = schema.getType(typeName);
      expect(
        type && isObjectType(type) && (fieldName === undefined || type.getFields()[fieldName]),
        coordinate,
      ).toBeTruthy();
    }
  });
});
