import type { CodegenConfig } from "@graphql-codegen/cli";

const scalars = {
  ID: "string",
  DateTime: "string",
  UUID: "string",
  URL: "string",
  JSONObject: "Record<string, unknown>",
};

/**
 * Two targets, each with its own documents, checked against schema.graphql: for frontend
 * teams, the client preset's typed documents of operations/ (the frontend operations only)
 * with their trusted documents manifest (sha256 → document), which the local gateway accepts
 * by hash; for the tests, typed documents of operations/ and test/operations/.
 * `npm run codegen` writes them; `npm run codegen:check` fails when they are stale.
 */
const config: CodegenConfig = {
  schema: "schema.graphql",
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
      documents: ["operations/**/*.graphql", "test/operations/**/*.graphql"],
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
