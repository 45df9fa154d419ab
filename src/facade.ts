import type { Server } from "node:http";
import trustedDocuments from "../examples/gql/persisted-documents.json" with { type: "json" };
import { createTokenVerifier } from "./auth/verifier.js";
import type { ResolvedConfig } from "./config/config.js";
import { createContextFactory } from "./context/context.js";
import { createGraphQLHandler, GRAPHQL_PATH } from "./graphql/yoga.js";
import { createFastPath } from "./http/fast-path.js";
import { bodySizeGuard, corsGuard, type Guard, hostGuard, isLoopbackHost } from "./http/guards.js";
import { createRequestHandler } from "./http/request-handler.js";
import { listen } from "./http/server.js";
import type { Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { createReadiness } from "./readiness.js";
import { startTracing } from "./tracing.js";
import { createCallScheduler } from "./upstream/call-scheduler.js";
import { createUpstream } from "./upstream/clients-service.js";

/**
 * The wiring: every part of the facade, built here and nowhere else, following a request's
 * way through it — HTTP (guards) → Yoga (limits, schema visibility, errors) → auth context
 * (verified token, the HTTP request's budget, loaders) → shield → resolvers → loaders →
 * Connect client → upstream. Parts are built from the far end back, each handed what it uses.
 */

export interface FacadeOptions {
  config: ResolvedConfig;
  logger: Logger;
  /** A token GraphiQL opens with: given by the development entry only. */
  graphiqlToken?: string | undefined;
  /** Each off only in the differential tests, which compare a shortcut's answers with the way round it. */
  shortcuts?: Partial<Shortcuts>;
}

/** Ways round work that would change nothing in an answer (bench/README.md measures each). */
export interface Shortcuts {
  /** An operation whose every reachable field the caller may resolve runs without shield's per-field wrappers. */
  permissionVerdicts: boolean;
  /** One operation posted as JSON runs on Yoga's engine without its Fetch-API adapter. */
  fastPath: boolean;
  /** Queries proven to answer alike run compiled by graphql-jit from their second use. */
  compiledExecution: boolean;
}

export interface RunningFacade {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  graphqlUrl: string;
  server: Server;
  /** Stops taking requests, lets those in flight finish (up to the shutdown timeout), then closes. */
  close(): Promise<void>;
}

/** Builds the facade and resolves once it is listening. */
export async function startFacade({ config, logger, graphiqlToken, shortcuts }: FacadeOptions): Promise<RunningFacade> {
  const metrics = createMetrics(Object.values(trustedDocuments), config.workers);
  const tracing = config.tracing && (await startTracing(config.tracing));

  const verifyToken = createTokenVerifier(config.auth, logger);
  const readiness = createReadiness({
    keysAtHand: verifyToken.keysAtHand,
    logger,
    onUpstreamState: metrics.observeUpstreamState,
  });

  // Connect client → upstream.
  const upstream = createUpstream(
    config.upstream,
    (procedure, code, seconds) => {
      metrics.observeUpstreamCall(procedure, code, seconds);
      readiness.observeUpstream(code);
    },
    tracing ? [tracing.upstreamInterceptor] : [],
  );

  // Auth context: who calls, what their HTTP request may spend, and its loaders.
  const context = createContextFactory({
    verifyToken,
    upstream,
    limits: {
      maxCost: config.limits.maxCost,
      maxRepresentations: config.limits.maxRepresentations,
      maxResponseBytes: config.limits.maxResponseBytes,
      maxUpstreamCalls: config.upstream.maxCallsPerRequest,
      maxInFlightPerRequest: config.upstream.maxInFlightPerRequest,
      timeoutMs: config.limits.requestTimeoutMs,
    },
    scheduler: createCallScheduler(config.upstream.maxInFlight),
    observeBatch: metrics.observeBatch,
  });

  // Yoga: GraphQL over HTTP, the limits, the shielded schema and its resolvers.
  const graphql = createGraphQLHandler({
    context,
    introspection: config.introspection,
    permissionVerdicts: shortcuts?.permissionVerdicts ?? true,
    compiledExecution: shortcuts?.compiledExecution ?? true,
    limits: config.limits,
    logger,
    metrics,
    readiness: readiness.check,
    // The token never leaves the developer's machine: only a page asked for by a loopback name gets it.
    graphiqlTokenFor: (request) =>
      graphiqlToken && isLoopbackHost(request.headers.get("host")) ? graphiqlToken : undefined,
    executionHooks: tracing ? [tracing.operationHook] : [],
  });

  // HTTP: checks on the raw request before Yoga reads anything of it.
  const handle = createRequestHandler({
    logger,
    guards: [
      hostGuard(config.http.allowedHosts),
      corsGuard(config.http.cors),
      bodySizeGuard(config.limits.maxBodyBytes),
    ].filter((guard): guard is Guard => guard !== undefined),
    graphql:
      (shortcuts?.fastPath ?? true)
        ? createFastPath(graphql)
        : (request, response) => void graphql.adapter(request, response),
    draining: () => readiness.draining,
  });
  const listening = await listen(
    tracing ? (request, response) => tracing.traceRequest(request, response, () => handle(request, response)) : handle,
    { ...config, logger },
  );

  let closing: Promise<void> | undefined;
  return {
    url: listening.url,
    graphqlUrl: `${listening.url}${GRAPHQL_PATH}`,
    server: listening.server,
    close() {
      closing ??= (async () => {
        readiness.startDraining();
        await listening.drain();
        upstream.close();
        await tracing?.shutdown();
      })();
      return closing;
    },
  };
}
