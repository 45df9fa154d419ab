import type { CodegenConfig } from "@graphql-codegen/cli";

const scalars = {
  ID: "string",
  DateTime: "string",
  UUID: "string",
  URL: "string",
  JSONObject: "Record<string, unknown>",
};

/**
 * Typed documents for the operations kept in the repo (the README's examples in
 * operations/, the tests' in test/operations/), checked against schema.graphql; and, for
 * frontend teams, the client preset's typed documents of operations/ with their trusted
 * documents manifest (sha256 → document), which the local gateway accepts by hash.
 * `npm run codegen` writes them; `npm run codegen:check` fails when they are stale.
 */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["operations/**/*.graphql", "test/operations/**/*.graphql"],
  generates: {
    "examples/gql/": {
      documents: ["operations/**/*.graphql"],
      preset: "client",
      presetConfig: { persistedDocuments: { hashAlgorithm: "sha256" }, fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars,
        emitLegacyCommonJSImports: false,
      },
    },
    "test/gen/operations.ts": {
      plugins: ["typescript", "typescript-operations", "typed-document-node"],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: true,
        strictScalars: true,
        scalars,
      },
    },
  },
};

export default config;
