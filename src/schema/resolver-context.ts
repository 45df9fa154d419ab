import type { Auth } from "../auth/verifier.js";
import type { OAuthClients } from "../loaders/oauth-clients.js";
import type { RequestLedger } from "../loaders/request-ledger.js";

/**
 * What every resolver and permission rule sees, built per request by src/context/. Its parts
 * belong to the HTTP request, so the operations of a batch share them: one verified caller,
 * one ledger and one DataLoader.
 */
export interface GraphQLContext {
  /** Who is calling, from their verified bearer token. */
  auth: Auth;
  /** What the HTTP request may still spend, and has spent. */
  ledger: RequestLedger;
  oauthClients: OAuthClients;
}
