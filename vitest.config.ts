import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for Yoga; Vite would pick its ESM one, and two
    // copies of graphql break `instanceof GraphQLError`. Resolve it the way Node does.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/build-bundle.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
