import type { Client } from "../upstream/clients-service.js";
import { parseClientId } from "./client-id.js";
import { builder } from "./builder.js";
import { OAuthClientRef } from "./oauth-client.js";

const RegenerateClientSecretInput = builder.inputType("RegenerateClientSecretInput", {
  fields: (t) => ({
    clientId: t.id({ required: true, description: "The id (a UUID) of the client whose secret is replaced." }),
  }),
});

const RegenerateClientSecretPayload = builder.objectRef<{ client: Client }>("RegenerateClientSecretPayload").implement({
  fields: (t) => ({
    client: t.field({
      type: OAuthClientRef,
      description: "The client, with its new secret in `clientSecret`.",
      resolve: (payload) => payload.client,
    }),
  }),
});

builder.mutationField("regenerateClientSecret", (t) =>
  t.field({
    type: RegenerateClientSecretPayload,
    description:
      "Replaces the client's secret with a new one. The old secret stops working at once; this is never retried.",
    args: { input: t.arg({ type: RegenerateClientSecretInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      client: await context.clients.regenerateSecret(parseClientId(String(input.clientId), "input.clientId")),
    }),
  }),
);
