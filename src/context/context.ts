import type { YogaInitialContext } from "graphql-yoga";
import type { Auth, TokenVerifier } from "../auth/verifier.js";
import { type ClientsLoader, createClientsLoader } from "../loaders/clients.js";
import type { ClientsUpstream } from "../upstream/clients-service.js";

/** What every resolver and permission rule sees: built once per GraphQL request. */
export interface GraphQLContext {
  auth: Auth;
  clients: ClientsLoader;
}

export interface ContextDependencies {
  verifyToken: TokenVerifier;
  upstream: ClientsUpstream;
  maxConcurrency: number;
  requestTimeoutMs: number;
  observeBatch?: (size: number) => void;
}

export function createContextFactory(dependencies: ContextDependencies) {
  const { verifyToken, upstream, maxConcurrency, requestTimeoutMs, observeBatch } = dependencies;
  return async ({ request }: YogaInitialContext): Promise<GraphQLContext> => {
    const deadline = Date.now() + requestTimeoutMs;
    const auth = await verifyToken(request.headers.get("authorization"));
    const authorization = auth.authenticated ? auth.authorization : undefined;
    return {
      auth,
      clients: createClientsLoader(upstream, { authorization, signal: request.signal, deadline }, maxConcurrency, observeBatch),
    };
  };
}
