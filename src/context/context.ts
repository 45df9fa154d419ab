import type { YogaInitialContext } from "graphql-yoga";
import type { Auth, TokenVerifier } from "../auth/verifier.js";
import type { Upstream } from "../upstream/clients-service.js";
import { createOAuthClientLoader, type OAuthClientLoader } from "./oauth-client-loader.js";

/** What every resolver and permission rule sees: built once per GraphQL request. */
export interface GraphQLContext {
  /** Who is calling, from their verified bearer token. */
  auth: Auth;
  oauthClients: OAuthClientLoader;
}

export interface ContextDependencies {
  verifyToken: TokenVerifier;
  upstream: Upstream;
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
      oauthClients: createOAuthClientLoader(
        upstream,
        { authorization, signal: request.signal, deadline },
        maxConcurrency,
        observeBatch,
      ),
    };
  };
}
