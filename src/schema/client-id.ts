import { badUserInput } from "../errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Client ids are UUIDs upstream. A malformed one is the caller's mistake, answered
 * here without spending an upstream call; a valid one is lower-cased so that
 * differently written ids share one lookup.
 */
export function parseClientId(raw: string, argumentName: string): string {
  if (!UUID.test(raw)) {
    throw badUserInput(`${argumentName} must be a UUID, got ${JSON.stringify(raw.slice(0, 64))}`, argumentName);
  }
  return raw.toLowerCase();
}
