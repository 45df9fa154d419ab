import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents for the operations kept in the repo (the README's examples in
 * operations/, the tests' in test/operations/), checked against schema.graphql.
 * `npm run codegen` writes them; `npm run codegen:check` fails when they are stale.
 */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["operations/**/*.graphql", "test/operations/**/*.graphql"],
  generates: {
    "test/gen/operations.ts": {
      plugins: ["typescript", "typescript-operations", "typed-document-node"],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: true,
        strictScalars: true,
        scalars: {
          ID: "string",
          DateTime: "string",
          UUID: "string",
          URL: "string",
          JSONObject: "Record<string, unknown>",
        },
      },
    },
  },
};

export default config;
