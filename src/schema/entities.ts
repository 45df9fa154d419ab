import { parseClientId } from "./client-id.js";
import { builder } from "./builder.js";
import { OAuthClientRef } from "./oauth-client.js";
import { wantsSecret } from "./selection.js";

// References from other subgraphs resolve through the request's DataLoader, like oauthClient.
builder.asEntity(OAuthClientRef, {
  key: builder.selection<{ id: string }>("id"),
  resolveReference: (reference, context, info) =>
    context.clients.get(parseClientId(String(reference.id), "representations.id"), wantsSecret(context, info)),
});
