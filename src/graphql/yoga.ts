import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { createYoga, type Plugin, useReadinessCheck, type YogaInitialContext } from "graphql-yoga";
import type { LimitsConfig } from "../config.js";
import type { GraphQLContext } from "../context/context.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { protectSchema } from "../permissions/shield.js";
import { schema } from "../schema/index.js";
import { limitPlugins } from "./armour.js";
import { createErrorMasker } from "./errors.js";
import { graphiqlOptions } from "./graphiql.js";

export const GRAPHQL_PATH = "/graphql";

export type Readiness = { ready: true } | { ready: false; reason: "upstream_unreachable" | "shutting_down" };

export interface YogaOptions {
  /** Builds each request's context: who is calling, and their loaders. */
  context: (initial: YogaInitialContext) => Promise<GraphQLContext>;
  introspection: boolean;
  limits: LimitsConfig;
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  /** Put in GraphiQL's headers so that the example operation runs as is (development only). */
  graphiqlToken?: string | undefined;
}

const protectedSchema = protectSchema(schema);

/** GET /metrics: the Prometheus exposition of this facade's registry. */
function useMetricsEndpoint(metrics: Metrics): Plugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== "/metrics" || request.method !== "GET") return;
      return metrics.registry
        .metrics()
        .then((text) =>
          endResponse(new fetchAPI.Response(text, { headers: { "content-type": metrics.registry.contentType } })),
        );
    },
  };
}

export function createGraphQLHandler(options: YogaOptions) {
  const { context, introspection, limits, logger, metrics, readiness, graphiqlToken } = options;
  let graphiqlPage: Promise<string> | undefined;
  return createYoga({
    schema: protectedSchema,
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: "/health",
    context,
    plugins: [
      metrics.operationsPlugin,
      useMetricsEndpoint(metrics),
      useReadinessCheck({
        endpoint: "/readiness",
        check: async ({ fetchAPI }) => {
          const state = await readiness();
          return fetchAPI.Response.json(state, { status: state.ready ? 200 : 503 });
        },
      }),
      ...limitPlugins(limits, introspection),
      ...(introspection ? [] : [useDisableIntrospection()]),
    ],
    batching: limits.maxBatch > 0 ? { limit: limits.maxBatch } : false,
    maskedErrors: { maskError: createErrorMasker(logger), isDev: false },
    landingPage: false,
    logging: {
      debug: (...args) => logger.debug({ yoga: args.map(String) }),
      info: (...args) => logger.info({ yoga: args.map(String) }),
      warn: (...args) => logger.warn({ yoga: args.map(String) }),
      // Errors worth an operator's attention are logged by the error masker, without credentials.
      error: (...args) => logger.debug({ yoga: args.map(String) }),
    },
    // GraphiQL from the installed package, assets inlined: no CDN, works offline. Its
    // bundle (about 9 MB) is loaded on the first page view, not at start, and the page
    // depends only on options fixed here, so it is rendered once.
    renderGraphiQL: (options) =>
      (graphiqlPage ??= import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => renderGraphiQL(options))),
    graphiql: graphiqlOptions(graphiqlToken),
  });
}
