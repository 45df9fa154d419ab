import { hash } from "node:crypto";
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import type { AuthConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import { scopesFromClaims } from "./scopes.js";

/**
 * Who is calling: the bearer token verified against the issuer's JWKS (signature,
 * algorithm allow-list, issuer, audience, exp/nbf) before any of its scopes is trusted.
 */

export type UnauthenticatedReason =
  | "missing_token"
  | "malformed_token"
  | "bad_signature"
  | "algorithm_not_allowed"
  | "unknown_key"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "invalid_claims"
  | "issued_in_future"
  | "too_old"
  | "unsupported_critical_header"
  | "keys_unavailable";

/** Each reason in words, as a caller reads it after "Authentication required." */
export const UNAUTHENTICATED_REASONS: Readonly<Record<UnauthenticatedReason, string>> = {
  missing_token: "No bearer token was sent.",
  malformed_token: "The bearer token is malformed.",
  bad_signature: "The bearer token's signature does not verify.",
  algorithm_not_allowed: "The bearer token is signed with an algorithm that is not accepted.",
  unknown_key: "The bearer token is signed with a key the issuer does not publish.",
  expired: "The bearer token has expired.",
  not_yet_valid: "The bearer token is not valid yet.",
  wrong_issuer: "The bearer token is from an issuer that is not trusted.",
  wrong_audience: "The bearer token is meant for another audience.",
  invalid_claims: "The bearer token's claims are not acceptable.",
  issued_in_future: "The bearer token claims to be issued in the future.",
  too_old: "The bearer token was issued too long ago.",
  unsupported_critical_header: "The bearer token requires an extension that is not supported.",
  keys_unavailable: "The bearer token cannot be verified right now.",
};

export type Auth =
  | {
      authenticated: true;
      subject: string | undefined;
      scopes: ReadonlySet<string>;
      /** `Bearer <token>`, forwarded to the upstream, which stays the final authority. */
      authorization: string;
    }
  | { authenticated: false; reason: UnauthenticatedReason };

export interface TokenVerifier {
  (authorizationHeader: string | null): Promise<Auth>;
  /** Whether the issuer's keys are at hand: fetched now if they never were. */
  keysAtHand(): Promise<boolean>;
}

/** A verified token is trusted from the cache at most this long, however far off its expiry. */
const TOKEN_CACHE_MAX_TTL_MS = 5 * 60_000;
/** The token cache's entries together, by the estimate below, hold at most this many bytes. */
const TOKEN_CACHE_BYTES = 16 * 1024 * 1024;
/** A token whose entry would take more than this (about 150 scopes) is verified each time, not kept. */
const TOKEN_ENTRY_MAX_BYTES = 16 * 1024;

/** What the cache keeps of a verified token: not the token, which each request brings again. */
type Verified = { subject: string | undefined; scopes: ReadonlySet<string> };

/** An entry's estimated bytes: its key, the object, and per scope a string and a set entry. */
function entryBytes({ subject, scopes }: Verified): number {
  let bytes = 256 + 2 * (subject?.length ?? 0);
  for (const scope of scopes) bytes += 64 + 2 * scope.length;
  return bytes;
}

export function createTokenVerifier(config: AuthConfig & { jwksUrl: string }, logger: Logger): TokenVerifier {
  // jose caches the key set, refetches it for an unknown `kid`, and never more than
  // once per cooldown: a flood of made-up `kid`s cannot hammer the issuer.
  const keys = createRemoteJWKSet(new URL(config.jwksUrl), {
    cooldownDuration: config.jwksCooldownMs,
    cacheMaxAge: config.jwksCacheMaxAgeMs,
    timeoutDuration: 5_000,
  });

  // Keyed by a hash of the token, never the token; only successes are kept, each until
  // its `exp` (and no longer than the cap), so a cached answer is one jose would still give.
  // Bounded by entries and by bytes: a token's scopes are the issuer's to choose, and many.
  const verified =
    config.tokenCacheSize > 0
      ? new LRUCache<string, Verified>({
          max: config.tokenCacheSize,
          maxSize: TOKEN_CACHE_BYTES,
          maxEntrySize: TOKEN_ENTRY_MAX_BYTES,
          sizeCalculation: entryBytes,
        })
      : undefined;

  const keysAtHand = async () => {
    if (keys.jwks()) return true;
    try {
      await keys.reload();
      return true;
    } catch {
      return false;
    }
  };

  const verify = async (header: string | null): Promise<Auth> => {
    if (!header) return { authenticated: false, reason: "missing_token" };
    // The scheme is case-insensitive (RFC 7235), followed by one space; the token is a signed
    // JWS in compact form: three base64url parts without padding (an empty signature is left
    // for jose to refuse by its algorithm). Anything else is refused here rather than
    // forwarded for the upstream to refuse.
    const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(header)?.[1];
    if (!token) return { authenticated: false, reason: "malformed_token" };
    const authorization = `Bearer ${token}`;
    const cacheKey = verified && hash("sha256", token, "base64url");
    const cached = cacheKey === undefined ? undefined : verified?.get(cacheKey);
    if (cached) return { authenticated: true, ...cached, authorization };
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ["exp"],
        ...(config.maxTokenAgeSeconds === undefined ? {} : { maxTokenAge: config.maxTokenAgeSeconds }),
      });
      // jose reads `iat` only for maxTokenAge; a token claiming to be issued later than now is not one we issued.
      if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + config.clockToleranceSeconds) {
        return { authenticated: false, reason: "issued_in_future" };
      }
      const auth = {
        authenticated: true as const,
        subject: payload.sub,
        scopes: scopesFromClaims(payload),
        authorization,
      };
      if (verified && cacheKey) {
        // Trusted no longer than jose would accept it: until `exp`, or until it is too old.
        const tooOldAt =
          config.maxTokenAgeSeconds === undefined ? Infinity : (payload.iat! + config.maxTokenAgeSeconds) * 1000;
        const ttl = Math.min(payload.exp! * 1000, tooOldAt) - Date.now();
        const entry = { subject: auth.subject, scopes: auth.scopes };
        if (ttl > 0) verified.set(cacheKey, entry, { ttl: Math.min(ttl, TOKEN_CACHE_MAX_TTL_MS) });
      }
      return auth;
    } catch (error) {
      const reason = reasonFor(error, token);
      if (reason === "keys_unavailable") logger.warn({ err: { name: (error as Error).name } }, "JWKS unavailable");
      return { authenticated: false, reason };
    }
  };
  return Object.assign(verify, { keysAtHand });
}

/** jose's only extension it knows is `b64` (RFC 7797); any other name in `crit` it refuses. */
function marksUnknownExtensionCritical(token: string): boolean {
  try {
    const { crit } = decodeProtectedHeader(token);
    return Array.isArray(crit) && crit.some((name) => name !== "b64");
  } catch {
    return false;
  }
}

function reasonFor(error: unknown, token: string): UnauthenticatedReason {
  if (error instanceof errors.JWTExpired) return error.claim === "iat" ? "too_old" : "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iat" && error.reason === "check_failed") return "issued_in_future";
    if (error.claim === "iss") return "wrong_issuer";
    if (error.claim === "aud") return "wrong_audience";
    if (error.claim === "nbf") return "not_yet_valid";
    return "invalid_claims";
  }
  // jose refuses an unsupported algorithm and an unknown critical extension (RFC 7515 §4.1.11)
  // with one class and code; which it was, the token's own header says (jose checks `crit` first).
  if (error instanceof errors.JOSENotSupported && marksUnknownExtensionCritical(token)) {
    return "unsupported_critical_header";
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return "algorithm_not_allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return "unknown_key";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return "keys_unavailable";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "malformed_token";
  // A failed fetch of the key set surfaces as a plain error from fetch.
  if (error instanceof TypeError || (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC")) {
    return "keys_unavailable";
  }
  return "malformed_token";
}
