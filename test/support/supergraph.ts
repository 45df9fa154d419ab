import { composeServices as composeWithApollo } from "@apollo/composition";
import type { Subgraph } from "../../src/dev-supergraph/compose.js";

/** The supergraph SDL, composed as rover and Apollo's tools do. */
export function composeApollo(subgraphs: Subgraph[]): string {
  const result = composeWithApollo(subgraphs);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join("\n"));
  return result.supergraphSdl;
}
