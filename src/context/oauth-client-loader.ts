import DataLoader from "dataloader";
import type { CallOptions, OAuthClient, Upstream } from "../upstream/clients-service.js";
import { UpstreamError } from "../upstream/upstream-error.js";
import type { RequestLedger } from "./request-ledger.js";

/**
 * Per-HTTP-request access to OAuth clients. Reads go through one DataLoader, so identical
 * lookups anywhere in the request (every operation of a batch) make one upstream call and the
 * distinct lookups of a tick go out together, in the request's lane of the upstream scheduler.
 * Nothing outlives the request.
 */
export interface OAuthClientLoader {
  /** The OAuth client, or null when the upstream does not know the id. */
  get(clientId: string, includeSecret: boolean): Promise<OAuthClient | null>;
  /**
   * Never batched, deduplicated or retried: every call invalidates the previous secret. Its
   * upstream call was reserved when the operation was admitted (RequestLedger.admit).
   */
  regenerateSecret(clientId: string): Promise<OAuthClient>;
}

interface LoadKey {
  clientId: string;
  includeSecret: boolean;
}

export function createOAuthClientLoader(
  upstream: Upstream,
  rotationOptions: Omit<CallOptions, "beforeAttempt">,
  budget: RequestLedger,
  observeBatch?: (size: number) => void,
): OAuthClientLoader {
  const readOptions: CallOptions = { ...rotationOptions, beforeAttempt: budget.takeUpstreamCall };
  const loader = new DataLoader<LoadKey, OAuthClient | null, string>(
    (keys) => {
      observeBatch?.(keys.length);
      return Promise.all(
        keys.map((key) =>
          budget.schedule(() => upstream.getClient(key.clientId, key.includeSecret, readOptions)).catch(notFoundAsNull),
        ),
      );
    },
    { cacheKeyFn: (key) => `${key.clientId}/${key.includeSecret}` },
  );

  return {
    get: (clientId, includeSecret) => loader.load({ clientId, includeSecret }),
    async regenerateSecret(clientId) {
      const oauthClient = await budget.schedule(() => upstream.regenerateSecret(clientId, rotationOptions));
      // What this request read before is stale now.
      loader.clear({ clientId, includeSecret: false }).clear({ clientId, includeSecret: true });
      return oauthClient;
    },
  };
}

/** DataLoader wants failures as values; an unknown id is not a failure. */
function notFoundAsNull(error: unknown): null | Error {
  if (error instanceof UpstreamError && error.code === "not_found") return null;
  return error instanceof Error ? error : new Error(String(error));
}
