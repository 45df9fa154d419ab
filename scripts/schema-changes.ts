import { buildSubgraphSchema } from "@apollo/subgraph";
import { CriticalityLevel, diff } from "@graphql-inspector/core";
import { parse } from "graphql";

/** One difference between two versions of the subgraph schema, as graphql-inspector rates it. */
export interface SchemaChange {
  level: "BREAKING" | "DANGEROUS" | "NON_BREAKING";
  message: string;
  path?: string;
}

/** Both sides built the same way, as a subgraph, so federation's own additions cancel out. */
const build = (sdl: string) => buildSubgraphSchema(parse(sdl));

/**
 * Definitions federation adds for the directives a `@link` does not import (`@federation__cost`
 * when only `@key` is imported): they follow the link, not the schema, and no client uses them.
 */
const federationMachinery = (path: string | undefined) => path?.startsWith("@federation__") ?? false;

/** The changes from `baseSdl` (what clients use today) to `nextSdl`, most severe first. */
export async function schemaChanges(baseSdl: string, nextSdl: string): Promise<SchemaChange[]> {
  const order = [CriticalityLevel.Breaking, CriticalityLevel.Dangerous, CriticalityLevel.NonBreaking];
  const changes = await diff(build(baseSdl), build(nextSdl));
  return changes
    .filter((change) => !federationMachinery(change.path))
    .map((change) => ({ level: change.criticality.level, message: change.message, path: change.path }))
    .sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
}

/** One line per change, its criticality first, for a person reading CI's log. */
export function formatChanges(changes: SchemaChange[]): string {
  if (changes.length === 0) return "No changes.";
  return changes.map((change) => `${change.level.padEnd(12)} ${change.message}`).join("\n");
}
