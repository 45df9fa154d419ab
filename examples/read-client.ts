import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { ExampleClientDocument } from "./gql/graphql.js";

/**
 * A typed client for frontend teams, in a few lines: it runs the README's example operation
 * through the gateway by its hash alone (a trusted document from examples/gql, written by
 * `npm run codegen`), and gets an answer typed by the client preset.
 *
 *   GATEWAY_URL=http://127.0.0.1:4000/graphql TOKEN=<a read token> npx tsx examples/read-client.ts
 */

type Trusted<TResult, TVariables> = TypedDocumentNode<TResult, TVariables> & { __meta__?: { hash: string } };

export async function runTrusted<TResult, TVariables>(
  url: string,
  token: string,
  document: Trusted<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    // The hash only: a gateway that requires trusted documents never sees the text.
    body: JSON.stringify({
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: document.__meta__!.hash } },
    }),
  });
  const { data, errors } = (await response.json()) as { data?: TResult; errors?: { message: string }[] };
  if (!data) throw new Error(errors?.map((error) => error.message).join("; ") ?? `HTTP ${response.status}`);
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { oauthClient } = await runTrusted(process.env.GATEWAY_URL!, process.env.TOKEN!, ExampleClientDocument, {
    id: "550e8400-e29b-41d4-a716-446655440000",
  });
  // Typed: `oauthClient` is `{ id: string; name: string; … } | null`.
  process.stdout.write(`${oauthClient?.name ?? "no such client"}\n`);
}
