import type { YogaInitialContext } from "graphql-yoga";
import { type ClientsLoader, createClientsLoader } from "../loaders/clients.js";
import type { ClientsUpstream } from "../upstream/clients-service.js";

/** What every resolver sees: built once per GraphQL request. */
export interface GraphQLContext {
  clients: ClientsLoader;
}

export interface ContextDependencies {
  upstream: ClientsUpstream;
  maxConcurrency: number;
}

export function createContextFactory({ upstream, maxConcurrency }: ContextDependencies) {
  return ({ request }: YogaInitialContext): GraphQLContext => ({
    clients: createClientsLoader(
      upstream,
      { authorization: request.headers.get("authorization") ?? undefined, signal: request.signal },
      maxConcurrency,
    ),
  });
}
