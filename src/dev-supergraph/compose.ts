import { composeServices } from "@theguild/federation-composition";
import type { DocumentNode, GraphQLError } from "graphql";

/** A subgraph as composition takes it. */
export interface Subgraph {
  name: string;
  typeDefs: DocumentNode;
  url: string;
}

/** Composition failed: the errors as The Guild's composition reports them. */
export class CompositionError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((error) => error.message).join("\n"));
    this.name = "CompositionError";
  }
}

/** The supergraph SDL, composed in-process as Hive does (The Guild's composition). */
export function composeGuild(subgraphs: Subgraph[]): string {
  const result = composeServices(subgraphs);
  if (result.errors) throw new CompositionError(result.errors);
  return result.supergraphSdl;
}
