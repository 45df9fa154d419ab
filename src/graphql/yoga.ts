import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { createServerAdapter } from "@whatwg-node/server";
import { type Plugin, YogaServer } from "graphql-yoga";
import type { LimitsConfig } from "../config/config.js";
import type { ContextFactory } from "../context/context.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { protectSchema } from "../permissions/shield.js";
import type { Readiness } from "../readiness.js";
import type { GraphQLContext } from "../schema/resolver-context.js";
import { schema } from "../schema/schema.js";
import { compiledExecution } from "./compiled-execution.js";
import { boundedParserCache } from "./document-cache.js";
import { createErrorMasker, useTypedErrors } from "./error-masking.js";
import { type ExecutionHook, useExecutionHooks } from "./execution-hooks.js";
import { useGraphiQLPage } from "./graphiql.js";
import { admission } from "./limits/admission.js";
import { useArmor } from "./limits/armor.js";
import { useDocumentSize } from "./limits/document-size.js";
import { useExpansionBound } from "./limits/expansion-bound.js";
import { useIntrospectionBound } from "./limits/introspection.js";
import { useValidationWorkBound } from "./limits/validation-work.js";
import { useContextRelease } from "./plugins/context-release.js";
import { useMetricsEndpoint } from "./plugins/metrics-endpoint.js";
import { useNoStore } from "./plugins/no-store.js";
import { useReadinessEndpoint } from "./plugins/readiness-endpoint.js";
import { schemaVisibility } from "./schema-visibility.js";

export const GRAPHQL_PATH = "/graphql";
/** The header that proves a GET or a simple POST is not a form's or a link's (CSRF prevention). */
export const CSRF_HEADER = "x-graphql-csrf";

export interface YogaOptions {
  /** Builds each request's context: who is calling, and their loaders. */
  context: ContextFactory;
  introspection: boolean;
  /** Whether an operation the caller may resolve whole runs without shield's wrappers. */
  permissionVerdicts: boolean;
  /** Whether queries proven to answer alike run compiled by graphql-jit. */
  compiledExecution: boolean;
  limits: LimitsConfig;
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  /** The token GraphiQL opens with for a request, if any (development only, decided by the HTTP layer). */
  graphiqlTokenFor(request: Request): string | undefined;
  /** Execution hooks that wrap the executor once it is chosen (tracing's operation span). */
  executionHooks?: ExecutionHook[];
}

const protectedSchema = protectSchema(schema);

/**
 * Yoga, as `createYoga` builds it, with its server instance at hand: the adapter answers any
 * request from Node's; the server's `handle` answers a Fetch-API request (the fast path's).
 */
export function createGraphQLHandler(options: YogaOptions) {
  const server = createYogaServer(options);
  // biome-ignore lint/complexity/useLiteralKeys: Yoga hands its adapter its plugins (protected) exactly so.
  const adapter = createServerAdapter(server, { fetchAPI: server.fetchAPI, plugins: server["plugins"] });
  return { adapter, server };
}

export type GraphQLHandler = ReturnType<typeof createGraphQLHandler>;

function createYogaServer(options: YogaOptions) {
  const {
    context,
    introspection,
    permissionVerdicts,
    compiledExecution: compiles,
    limits,
    logger,
    metrics,
    readiness,
    graphiqlTokenFor,
    executionHooks = [],
  } = options;
  const visibility = schemaVisibility(introspection);
  return new YogaServer<Record<string, unknown>, GraphQLContext>({
    schema: protectedSchema,
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: "/health",
    context,
    // Ordered by phase, because within a phase the first plugin's hook runs first: a bound that
    // refuses (setResult) spares every later plugin of that phase the work, and the metrics see
    // everything after them.
    plugins: [
      useContextRelease(context),
      // Paths answered without GraphQL.
      useMetricsEndpoint(metrics),
      useReadinessEndpoint(readiness),
      // Without introspection there is no schema to explore: no GraphiQL either.
      ...(introspection ? [useGraphiQLPage({ graphqlPath: GRAPHQL_PATH, tokenFor: graphiqlTokenFor })] : []),
      useNoStore,
      // The HTTP request: GETs and simple posts must prove they are not a form's or a link's,
      // by a header no browser sends cross-origin without a preflight: ours, or Authorization
      // (a caller with a bearer token, as urql's and Apollo Client's GETs send it).
      ...(limits.csrfPrevention ? [useCSRFPrevention({ requestHeaders: [CSRF_HEADER, "authorization"] })] : []),
      // Parameters, before parsing: the document's bytes.
      useDocumentSize(limits.maxDocumentBytes),
      // Validation: the expanded size first, so no later rule walks an exponential selection.
      useExpansionBound(limits.maxExpandedSelections),
      useValidationWorkBound(limits.maxValidationPairs, limits.maxExpandedSelections),
      ...useArmor(limits, introspection),
      useIntrospectionBound,
      // `__schema` and `__type` refused when introspection is off.
      ...visibility.plugins,
      // Execution, as one hook: operation metrics around all that follows; who may read the
      // schema; the admission to the HTTP request's ledger (cost, fan-out, rotations, answers),
      // so that nothing is compiled for an operation it refuses; then the executor chosen
      // (compiled by graphql-jit, shield's wrappers skipped where it would allow every field),
      // so that the hooks after it wrap it (tracing's span around the resolvers).
      useExecutionHooks([
        metrics.operationsHook,
        ...visibility.executionHooks,
        admission,
        compiledExecution({
          unguarded: permissionVerdicts ? schema : undefined,
          compiles,
          observeCompilation: metrics.observeCompilation,
        }),
        ...executionHooks,
      ]) as Plugin,
      // The result: every error typed, last, so that it sees every other plugin's errors.
      useTypedErrors,
    ],
    // CORS is an allow-list enforced in front of Yoga, for every path (src/http/guards.ts).
    cors: false,
    graphiql: false,
    batching: limits.maxBatch > 0 ? { limit: limits.maxBatch } : false,
    parserAndValidationCache: boundedParserCache(),
    // The HTTP layer's bodySizeGuard has bounded every body already (a Content-Length is
    // required, at most LIMIT_MAX_BODY_BYTES); Yoga's own count would pipe each body through
    // a TransformStream for nothing (bench/README.md).
    maxRequestBodySize: false,
    maskedErrors: { maskError: createErrorMasker(logger), isDev: false },
    landingPage: false,
    logging: {
      // Yoga logs at debug several times per request: below that level, nothing is built.
      debug: logger.isLevelEnabled("debug") ? (...args) => logger.debug({ yoga: args.map(String) }) : () => {},
      info: (...args) => logger.info({ yoga: args.map(String) }),
      warn: (...args) => logger.warn({ yoga: args.map(String) }),
      // Errors worth an operator's attention are logged by the error masker, without credentials.
      error: (...args) => logger.debug({ yoga: args.map(String) }),
    },
  });
}
