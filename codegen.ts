/**
 * GraphQL Code Generator configuration: typed documents from schema.graphql and the
 * operations kept in the repo. The generators are wired in by a later change.
 */
const config = {
  schema: "schema.graphql",
  documents: [] as string[],
  generates: {},
};

export default config;
