import { parseClientId } from "./client-id.js";
import { builder } from "./builder.js";
import { OAuthClientRef } from "./oauth-client.js";
import { wantsSecret } from "./selection.js";

builder.queryField("oauthClient", (t) =>
  t.field({
    type: OAuthClientRef,
    nullable: true,
    description: "An OAuth client by id; null when there is no client with that id.",
    args: { id: t.arg.id({ required: true, description: "The client id (a UUID)." }) },
    resolve: (_root, args, context, info) =>
      context.clients.get(parseClientId(String(args.id), "id"), wantsSecret(context, info)),
  }),
);
