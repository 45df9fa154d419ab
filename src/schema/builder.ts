import SchemaBuilder from "@pothos/core";
import type { JsonObject } from "@bufbuild/protobuf";
import { DateTimeResolver, JSONObjectResolver, URLResolver, UUIDResolver } from "graphql-scalars";
import type { GraphQLContext } from "../context/context.js";

/** The one Pothos builder: every type, plugin and scalar of the schema is registered here. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    UUID: { Input: string; Output: string };
    URL: { Input: URL; Output: string };
    JSONObject: { Input: JsonObject; Output: JsonObject };
  };
}>({
  defaultFieldNullability: false,
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("UUID", UUIDResolver);
builder.addScalarType("URL", URLResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);

builder.queryType({});
builder.mutationType({});
