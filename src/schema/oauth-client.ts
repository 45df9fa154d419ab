import type { JsonObject } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ApplicationBinding, Client } from "../upstream/clients-service.js";
import { builder } from "./builder.js";

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
  description: "An application this client is bound to, with that binding's configuration.",
  fields: (t) => ({
    applicationId: t.exposeString("applicationId"),
    config: t.field({
      type: ApplicationBindingConfigRef,
      resolve: (binding) => binding.config ?? {},
    }),
  }),
});

export const OAuthClientRef = builder.objectRef<Client>("OAuthClient").implement({
  description: "An OAuth client registered with Xeonr auth.",
  fields: (t) => ({
    id: t.exposeID("clientId", { description: "The client id (a UUID)." }),
    clientSecret: t.string({
      nullable: true,
      description:
        "The client secret. A credential: fetched from the upstream only when this field is selected.",
      resolve: (client) => orNull(client.clientSecret),
    }),
    name: t.exposeString("name"),
    description: t.string({ nullable: true, resolve: (client) => orNull(client.description) }),
    redirectUri: t.field({ type: "URL", nullable: true, resolve: (client) => orNull(client.redirectUri) }),
    websiteUrl: t.field({ type: "URL", nullable: true, resolve: (client) => orNull(client.websiteUrl) }),
    logoUrl: t.field({ type: "URL", nullable: true, resolve: (client) => orNull(client.logoUrl) }),
    supportsRefreshToken: t.exposeBoolean("supportsRefreshToken"),
    supportsImplicitGrant: t.exposeBoolean("supportsImplicitGrant"),
    supportsDeviceCodeGrant: t.exposeBoolean("supportsDeviceCodeGrant"),
    supportsCodeGrant: t.exposeBoolean("supportsCodeGrant"),
    isVerified: t.exposeBoolean("isVerified"),
    applicationId: t.string({ nullable: true, resolve: (client) => orNull(client.applicationId) }),
    usesManagedBuckets: t.exposeBoolean("usesManagedBuckets"),
    applicationBindings: t.field({ type: [ApplicationBindingRef], resolve: (client) => client.applicationBindings }),
    allowedDelegators: t.field({
      type: ["UUID"],
      description: "Ids of the clients allowed to act on this client's behalf.",
      resolve: (client) => client.allowedDelegators,
    }),
    backchannelLogoutUri: t.field({
      type: "URL",
      nullable: true,
      resolve: (client) => orNull(client.backchannelLogoutUri),
    }),
    backchannelLogoutSessionRequired: t.exposeBoolean("backchannelLogoutSessionRequired"),
    frontchannelLogoutUri: t.field({
      type: "URL",
      nullable: true,
      resolve: (client) => orNull(client.frontchannelLogoutUri),
    }),
    frontchannelLogoutSessionRequired: t.exposeBoolean("frontchannelLogoutSessionRequired"),
    postLogoutRedirectUris: t.field({ type: ["URL"], resolve: (client) => client.postLogoutRedirectUris }),
    createdAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (client) => (client.createdAt ? timestampDate(client.createdAt) : null),
    }),
    updatedAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (client) => (client.updatedAt ? timestampDate(client.updatedAt) : null),
    }),
  }),
});
