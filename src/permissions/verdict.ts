import type { Auth } from "../auth/verifier.js";
import { isAllowed, KNOWN_SCOPES } from "./table.js";

/**
 * Whether a caller may resolve every field an operation can reach, decided once per operation
 * and scope set. The table's rules read nothing but the caller's scopes, so the verdict of a
 * document for one scope set holds for every caller with that set: when it allows everything,
 * execution may skip shield's per-field wrappers; anything denied runs through shield, which
 * stays the one enforcer (and wording) of every refusal.
 */

const UNAUTHENTICATED = -1;

/** The caller's scope set as the table sees it: one of 2^n + 1 keys, whatever tokens carry. */
function scopeSetOf(auth: Auth): number {
  if (!auth.authenticated) return UNAUTHENTICATED;
  let key = 0;
  for (const [bit, scope] of KNOWN_SCOPES.entries()) if (auth.scopes.has(scope)) key |= 1 << bit;
  return key;
}

/** Verdicts by the operation's reachable coordinates (kept as long as its document is), then by scope set. */
const verdicts = new WeakMap<ReadonlyMap<string, unknown>, Map<number, boolean>>();

/** Whether `auth` may resolve every coordinate of `reachable` ("Type.field", as `OperationShape.reachable`). */
export function allowsEverything(auth: Auth, reachable: ReadonlyMap<string, unknown>): boolean {
  let byScopeSet = verdicts.get(reachable);
  if (!byScopeSet) {
    byScopeSet = new Map();
    verdicts.set(reachable, byScopeSet);
  }
  const key = scopeSetOf(auth);
  let verdict = byScopeSet.get(key);
  if (verdict === undefined) {
    verdict = true;
    for (const coordinate of reachable.keys()) {
      if (!isAllowed(auth, coordinate)) {
        verdict = false;
        break;
      }
    }
    byScopeSet.set(key, verdict);
  }
  return verdict;
}
