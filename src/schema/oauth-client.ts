import type { JsonObject } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { GraphQLResolveInfo } from "graphql";
import { entityNotFound } from "../errors.js";
import { isAllowed } from "../permissions/table.js";
import type { ApplicationBinding, OAuthClient } from "../upstream/clients-service.js";
import { builder } from "./builder.js";
import { parseClientId } from "./client-id.js";
import type { GraphQLContext } from "./resolver-context.js";
import { selectsField } from "./selected-fields.js";

/**
 * The OAuth client domain: the `OAuthClient` type, the query that reads one, the entity
 * resolver a gateway uses, and the mutation that replaces its secret.
 */

// proto3 strings cannot be absent, only empty; the schema says null instead.
const orNull = (value: string) => (value === "" ? null : value);

const ApplicationBindingConfigRef = builder
  .objectRef<{ jsonConfig?: JsonObject | undefined }>("ApplicationBindingConfig")
  .implement({
    description: "Configuration of an application binding.",
    fields: (t) => ({
      jsonConfig: t.field({
        type: "JSONObject",
        description: "Arbitrary JSON values by key, as the application defines them.",
        resolve: (config) => config.jsonConfig ?? {},
      }),
    }),
  });

const ApplicationBindingRef = builder.objectRef<ApplicationBinding>("ApplicationBinding").implement({
  description: "An application this OAuth client is bound to, with that binding's configuration.",
  fields: (t) => ({
    applicationId: t.exposeString("applicationId", { description: "The bound application's id." }),
    config: t.field({
      type: ApplicationBindingConfigRef,
      description: "This binding's configuration.",
      resolve: (binding) => binding.config ?? {},
    }),
  }),
});

/** One of the client's URLs: proto3 has no absent string, only an empty one, which is null here. */
const optionalUrl = (
  key: "redirectUri" | "websiteUrl" | "logoUrl" | "backchannelLogoutUri" | "frontchannelLogoutUri",
  description: string,
) => ({
  type: "URL" as const,
  nullable: true as const,
  description,
  resolve: (client: OAuthClient) => orNull(client[key]),
});

const OAuthClientRef = builder.objectRef<OAuthClient>("OAuthClient").implement({
  description: "An OAuth client registered with Xeonr auth.",
  fields: (t) => ({
    id: t.exposeID("clientId", { description: "The client id (a UUID): the `client_id` of its OAuth requests." }),
    clientSecret: t.string({
      nullable: true,
      description:
        "The client secret, with which the client authenticates itself to the token endpoint. A credential: fetched from the upstream only when this field is selected.",
      resolve: (client) => orNull(client.clientSecret),
    }),
    name: t.exposeString("name", { description: "The client's name, as people see it when they authorize it." }),
    description: t.string({
      nullable: true,
      description: "What the client is, in its owner's words; null when none is set.",
      resolve: (client) => orNull(client.description),
    }),
    redirectUri: t.field(
      optionalUrl(
        "redirectUri",
        "Where authorization sends the user back, with a code or a token; null when none is set.",
      ),
    ),
    websiteUrl: t.field(optionalUrl("websiteUrl", "The client's home page; null when none is set.")),
    logoUrl: t.field(
      optionalUrl("logoUrl", "The client's logo, shown when people authorize it; null when none is set."),
    ),
  }),
});

// What the client may do, and what it belongs to.
builder.objectFields(OAuthClientRef, (t) => ({
  supportsRefreshToken: t.exposeBoolean("supportsRefreshToken", {
    description: "Whether the client may exchange a refresh token for new access tokens.",
  }),
  supportsImplicitGrant: t.exposeBoolean("supportsImplicitGrant", {
    description: "Whether the client may use the implicit grant (tokens returned in the redirect itself).",
  }),
  supportsDeviceCodeGrant: t.exposeBoolean("supportsDeviceCodeGrant", {
    description: "Whether the client may use the device authorization grant (RFC 8628), for devices without a browser.",
  }),
  supportsCodeGrant: t.exposeBoolean("supportsCodeGrant", {
    description: "Whether the client may use the authorization code grant.",
  }),
  isVerified: t.exposeBoolean("isVerified", {
    description: "Whether Xeonr auth marks the client as verified.",
  }),
  applicationId: t.string({
    nullable: true,
    description: "The id of the application the client belongs to (such as `app_prod_myapp`); null when none.",
    resolve: (client) => orNull(client.applicationId),
  }),
  usesManagedBuckets: t.exposeBoolean("usesManagedBuckets", {
    description: "Whether the client uses the storage buckets Xeonr manages, as Xeonr auth records it.",
  }),
  applicationBindings: t.field({
    type: [ApplicationBindingRef],
    description: "The applications the client is bound to, each with that binding's configuration.",
    resolve: (client) => client.applicationBindings,
  }),
  // The two lists of upstream values a scalar can refuse are nullable, so that a malformed
  // item nulls only its list, never the client (nor the new secret a rotation answers).
  allowedDelegators: t.field({
    type: ["UUID"],
    nullable: true,
    description:
      "Ids of the OAuth clients allowed to act on this one's behalf; null when the upstream's are malformed.",
    resolve: (client) => client.allowedDelegators,
  }),
}));

// How it takes part in logout, and its history.
builder.objectFields(OAuthClientRef, (t) => ({
  backchannelLogoutUri: t.field(
    optionalUrl(
      "backchannelLogoutUri",
      "Where a logout token is posted, server to server, when a user's session ends (OpenID Connect Back-Channel Logout); null when none.",
    ),
  ),
  backchannelLogoutSessionRequired: t.exposeBoolean("backchannelLogoutSessionRequired", {
    description: "Whether the back-channel logout token must name the session (its `sid` claim).",
  }),
  frontchannelLogoutUri: t.field(
    optionalUrl(
      "frontchannelLogoutUri",
      "The page loaded in the user's browser to log them out of the client (OpenID Connect Front-Channel Logout); null when none.",
    ),
  ),
  frontchannelLogoutSessionRequired: t.exposeBoolean("frontchannelLogoutSessionRequired", {
    description: "Whether the front-channel logout request must carry the issuer and the session (`iss`, `sid`).",
  }),
  postLogoutRedirectUris: t.field({
    type: ["URL"],
    nullable: true,
    description: "Where the client may send a user after logout; null when the upstream's are malformed.",
    resolve: (client) => client.postLogoutRedirectUris,
  }),
  createdAt: t.field({
    type: "DateTime",
    nullable: true,
    description: "When the client was registered.",
    resolve: (client) => (client.createdAt ? timestampDate(client.createdAt) : null),
  }),
  updatedAt: t.field({
    type: "DateTime",
    nullable: true,
    description: "When the client was last changed, a secret's replacement included.",
    resolve: (client) => (client.updatedAt ? timestampDate(client.updatedAt) : null),
  }),
}));

/**
 * Whether to ask the upstream for the client secret: only when the operation selects
 * `clientSecret` and the caller may see it. A secret nobody will be shown is never fetched.
 */
function wantsSecret(context: GraphQLContext, info: GraphQLResolveInfo): boolean {
  // The cheap check first: most callers may not see the secret, and the search runs per resolver.
  return isAllowed(context.auth, "OAuthClient.clientSecret") && selectsField(info, "OAuthClient", "clientSecret");
}

/** The one way an OAuth client is read: by id, through the request's DataLoader, its secret only when selected and allowed. */
function loadOAuthClient(rawId: unknown, argumentName: string, context: GraphQLContext, info: GraphQLResolveInfo) {
  return context.oauthClients.get(parseClientId(String(rawId), argumentName), wantsSecret(context, info));
}

builder.queryField("oauthClient", (t) =>
  t.field({
    type: OAuthClientRef,
    nullable: true,
    description: "An OAuth client by id; null when there is no OAuth client with that id.",
    args: { id: t.arg.id({ required: true, description: "The client id (a UUID)." }) },
    resolve: (_root, args, context, info) => loadOAuthClient(args.id, "id", context, info),
  }),
);

// References from other subgraphs resolve as oauthClient does, but for an unknown id: another
// subgraph named it, so its absence is an error at its place (a gateway then answers `null`
// there with NOT_FOUND), not the silent `null` a gateway would report as an unexpected error.
builder.asEntity(OAuthClientRef, {
  key: builder.selection<{ id: string }>("id"),
  resolveReference: async (reference, context, info) =>
    (await loadOAuthClient(reference.id, "representations.id", context, info)) ??
    Promise.reject(entityNotFound(String(reference.id))),
});

const RegenerateClientSecretInput = builder.inputType("RegenerateClientSecretInput", {
  fields: (t) => ({
    clientId: t.id({ required: true, description: "The id (a UUID) of the client whose secret is replaced." }),
  }),
});

const RegenerateClientSecretPayload = builder
  .objectRef<{ oauthClient: OAuthClient }>("RegenerateClientSecretPayload")
  .implement({
    fields: (t) => ({
      client: t.field({
        type: OAuthClientRef,
        description: "The client, with its new secret in `clientSecret`.",
        resolve: (payload) => payload.oauthClient,
      }),
    }),
  });

builder.mutationField("regenerateClientSecret", (t) =>
  t.field({
    type: RegenerateClientSecretPayload,
    // Nullable, so that a failure stops at its own alias: a sibling's error never takes a
    // committed rotation's new secret out of the answer.
    nullable: true,
    description:
      "Replaces the client's secret with a new one, answered in `client.clientSecret` (which must be selected). The old secret stops working at once; this is never retried. Null, with a typed error at its path, when this rotation failed; other rotations of the request are answered independently.",
    args: { input: t.arg({ type: RegenerateClientSecretInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      oauthClient: await context.oauthClients.regenerateSecret(parseClientId(String(input.clientId), "input.clientId")),
    }),
  }),
);
