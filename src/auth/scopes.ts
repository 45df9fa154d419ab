import type { JWTPayload } from "jose";

export const SCOPE_READ = "oauth:clients:read";
export const SCOPE_MANAGE = "oauth:clients:manage";

/** Scopes from the `scope` claim (space-separated) or, failing that, `scp` (an array). */
export function scopesFromClaims(payload: JWTPayload): ReadonlySet<string> {
  if (typeof payload.scope === "string") return new Set(payload.scope.split(" ").filter(Boolean));
  if (Array.isArray(payload.scp)) return new Set(payload.scp.filter((s): s is string => typeof s === "string"));
  return new Set();
}
