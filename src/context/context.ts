import type { YogaInitialContext } from "graphql-yoga";
import type { TokenVerifier } from "../auth/verifier.js";
import { createOAuthClients } from "../loaders/oauth-clients.js";
import { type BudgetLimits, RequestLedger } from "../loaders/request-ledger.js";
import type { GraphQLContext } from "../schema/resolver-context.js";
import type { CallScheduler } from "../upstream/call-scheduler.js";
import type { Upstream } from "../upstream/clients-service.js";

type RequestParts = Pick<GraphQLContext, "auth" | "ledger" | "oauthClients">;

export interface ContextDependencies {
  verifyToken: TokenVerifier;
  upstream: Upstream;
  limits: BudgetLimits;
  /** Upstream calls in flight, bounded for the process and shared fairly between requests. */
  scheduler: CallScheduler;
  observeBatch?: (size: number) => void;
}

/** Builds each operation's context, and lets go of its HTTP request's parts once answered. */
export interface ContextFactory {
  (initial: YogaInitialContext): Promise<GraphQLContext>;
  /** The request is answered: its DataLoader and ledger need not wait for the request to be collected. */
  release(request: Request): void;
}

export function createContextFactory(dependencies: ContextDependencies): ContextFactory {
  const { verifyToken, upstream, limits, scheduler, observeBatch } = dependencies;
  const parts = new WeakMap<Request, Promise<RequestParts>>();

  const partsOf = async (request: Request): Promise<RequestParts> => {
    const ledger = new RequestLedger(limits, scheduler);
    const auth = await verifyToken(request.headers.get("authorization"));
    const authorization = auth.authenticated ? auth.authorization : undefined;
    const requestId = request.headers.get("x-request-id") ?? undefined;
    const callOptions = { authorization, requestId, signal: request.signal, deadline: ledger.deadline };
    return { auth, ledger, oauthClients: createOAuthClients(upstream, callOptions, ledger, observeBatch) };
  };

  const contextOf = async ({ request }: YogaInitialContext): Promise<GraphQLContext> => {
    let requestParts = parts.get(request);
    if (!requestParts) {
      requestParts = partsOf(request);
      parts.set(request, requestParts);
    }
    // Yoga merges each operation's context into its own object: the parts are shared, not the object.
    return { ...(await requestParts) };
  };
  return Object.assign(contextOf, { release: (request: Request) => void parts.delete(request) });
}
