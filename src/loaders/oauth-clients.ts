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
export interface OAuthClients {
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

export function createOAuthClients(
  upstream: Upstream,
  rotationOptions: Omit<CallOptions, "beforeAttempt">,
  ledger: RequestLedger,
  observeBatch?: (size: number) => void,
): OAuthClients {
  const readOptions: CallOptions = { ...rotationOptions, beforeAttempt: ledger.takeUpstreamCall };
  const loader = new DataLoader<LoadKey, OAuthClient | null, string>(
    (keys) => {
      observeBatch?.(keys.length);
      return Promise.all(
        keys.map((key) =>
          ledger.schedule(() => upstream.getClient(key.clientId, key.includeSecret, readOptions)).catch(notFoundAsNull),
        ),
      );
    },
    { cacheKeyFn: (key) => `${key.clientId}/${key.includeSecret}` },
  );

  // Each rotation of the request, settled once it is answered: a read of the same client's
  // secret answers what the rotation left, never a secret the request itself made dead.
  const rotations = new Map<string, PromiseWithResolvers<OAuthClient>>();
  const rotationOf = (clientId: string) => {
    let rotation = rotations.get(clientId);
    if (!rotation) {
      rotation = Promise.withResolvers<OAuthClient>();
      // Awaited by reads only; a failure is their business (and the rotation's own answer's).
      rotation.promise.catch(() => undefined);
      rotations.set(clientId, rotation);
    }
    return rotation;
  };

  /**
   * A secret read while this request replaces it (a batch reading and rotating one client: the
   * read may reach the upstream first): the rotated client once the rotation is answered, or,
   * when it failed (its outcome perhaps unknown), the client read again. Every admission of a
   * request runs before any upstream answer arrives, so the ledger knows every rotation by then.
   */
  const afterRotation = async (clientId: string, read: OAuthClient): Promise<OAuthClient | null> => {
    const remainingMs = Math.max(0, ledger.deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), remainingMs);
    });
    try {
      const rotated = await Promise.race([rotationOf(clientId).promise, timedOut]);
      return rotated === "timeout" ? read : rotated;
    } catch {
      // As the DataLoader answers: an unknown id is null, any other failure the read's own.
      return ledger
        .schedule(() => upstream.getClient(clientId, true, readOptions))
        .catch((error: unknown) => {
          const failure = notFoundAsNull(error);
          if (failure) throw failure;
          return null;
        });
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async get(clientId, includeSecret) {
      const client = await loader.load({ clientId, includeSecret });
      if (!includeSecret || !client || !ledger.rotates(clientId)) return client;
      return afterRotation(clientId, client);
    },
    async regenerateSecret(clientId) {
      const rotation = rotationOf(clientId);
      try {
        const oauthClient = await ledger.schedule(() => upstream.regenerateSecret(clientId, rotationOptions));
        rotation.resolve(oauthClient);
        return oauthClient;
      } catch (error) {
        rotation.reject(error);
        throw error;
      } finally {
        // What this request read before is stale now.
        loader.clear({ clientId, includeSecret: false }).clear({ clientId, includeSecret: true });
      }
    },
  };
}

/** DataLoader wants failures as values; an unknown id is not a failure. */
function notFoundAsNull(error: unknown): null | Error {
  if (error instanceof UpstreamError && error.code === "not_found") return null;
  return error instanceof Error ? error : new Error(String(error));
}
