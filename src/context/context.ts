import type { YogaInitialContext } from "graphql-yoga";
import type { Auth, TokenVerifier } from "../auth/verifier.js";
import type { Upstream } from "../upstream/clients-service.js";
import { createOAuthClientLoader, type OAuthClientLoader } from "./oauth-client-loader.js";
import type { RequestBudget } from "./request-budget.js";

/** What every resolver and permission rule sees: built once per GraphQL operation. */
export interface GraphQLContext {
  /** Who is calling, from their verified bearer token. */
  auth: Auth;
  /** What the HTTP request may still spend, shared by every operation of its batch. */
  budget: RequestBudget;
  oauthClients: OAuthClientLoader;
}

export interface ContextDependencies {
  verifyToken: TokenVerifier;
  upstream: Upstream;
  /** The budget of the HTTP request an operation belongs to. */
  budgetOf: (request: Request) => RequestBudget;
  observeBatch?: (size: number) => void;
}

export function createContextFactory(dependencies: ContextDependencies) {
  const { verifyToken, upstream, budgetOf, observeBatch } = dependencies;
  return async ({ request }: YogaInitialContext): Promise<GraphQLContext> => {
    const budget = budgetOf(request);
    const auth = await verifyToken(request.headers.get("authorization"));
    const authorization = auth.authenticated ? auth.authorization : undefined;
    return {
      auth,
      budget,
      oauthClients: createOAuthClientLoader(
        upstream,
        { authorization, signal: request.signal, deadline: budget.deadline, beforeAttempt: budget.takeUpstreamCall },
        budget,
        observeBatch,
      ),
    };
  };
}
