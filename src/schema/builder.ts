import type { JsonObject } from "@bufbuild/protobuf";
import SchemaBuilder from "@pothos/core";
import DirectivePlugin from "@pothos/plugin-directives";
import FederationPlugin from "@pothos/plugin-federation";
import { GraphQLScalarType } from "graphql";
import { DateTimeResolver, JSONObjectResolver, URLResolver, UUIDResolver } from "graphql-scalars";
import type { GraphQLContext } from "./resolver-context.js";
import "./router-directives.js";

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
  // Pothos runs the last plugin's hooks first: the router directives reach the federation plugin as options.
  plugins: [DirectivePlugin, FederationPlugin, "routerDirectives"],
  defaultFieldNullability: false,
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("UUID", UUIDResolver);
// graphql-scalars checks that a URL is one; it goes out as the upstream wrote it, not normalised.
builder.addScalarType(
  "URL",
  new GraphQLScalarType({
    ...URLResolver.toConfig(),
    serialize: (value) => {
      URLResolver.serialize(value);
      return String(value);
    },
  }),
);
builder.addScalarType("JSONObject", JSONObjectResolver);

builder.queryType({});
builder.mutationType({});
