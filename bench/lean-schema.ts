import { parseArgs } from "node:util";
import DataLoader from "dataloader";
import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
} from "graphql";
import { createRemoteJWKSet, jwtVerify } from "jose";

/**
 * What scenarios F and M of the benchmark share, so that they do exactly the same work: the
 * schema of the OAuth client (graphql-js, the same fields as the facade's), verification of
 * the caller's token with a cache of verified tokens, the `read` scope checked, and a
 * per-request DataLoader over GetClient. Each brings its own HTTP server and upstream client.
 * Not part of the service.
 */

/** The command line both yardsticks take: `--port`, `--upstream` and the issuer's `--jwks`, `--issuer`, `--audience`. */
export function yardstickArguments() {
  return parseArgs({
    options: {
      port: { type: "string", default: "0" },
      upstream: { type: "string" },
      jwks: { type: "string" },
      issuer: { type: "string" },
      audience: { type: "string" },
    },
  }).values;
}

export interface LeanOptions {
  jwks: string;
  issuer: string;
  audience: string;
}

export interface Caller {
  authorization: string;
  scopes: Set<string>;
}

/** Verifies a bearer token (jose), remembering verified ones until they expire (at most five minutes). */
export function createVerifier(options: LeanOptions) {
  const keys = createRemoteJWKSet(new URL(options.jwks));
  const verified = new Map<string, { caller: Caller; until: number }>();
  return async (header: string | undefined): Promise<Caller | undefined> => {
    const token = header && /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) return undefined;
    const hit = verified.get(token);
    if (hit && hit.until > Date.now()) return hit.caller;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: options.issuer, audience: options.audience });
      const caller = { authorization: header, scopes: new Set(String(payload.scope ?? "").split(" ")) };
      verified.set(token, { caller, until: Math.min(payload.exp! * 1000, Date.now() + 300_000) });
      return caller;
    } catch {
      return undefined;
    }
  };
}

/** GetClient over the Connect JSON protocol: the OAuth client, or null for an unknown id. */
export type GetClient = (clientId: string, authorization: string) => Promise<Record<string, unknown> | null>;

/** The GetClient request's path and headers, alike for every upstream client. */
export const GET_CLIENT_PATH = "/xeonr.auth.api.v1.ClientsService/GetClient";
export const getClientBody = (clientId: string) => JSON.stringify({ clientId, includeSecret: false });

export interface Context {
  caller: Caller | undefined;
  clients: DataLoader<string, Record<string, unknown> | null>;
}

/** One request's context: its caller, and a DataLoader that makes each distinct GetClient once. */
export function contextFor(caller: Caller | undefined, getClient: GetClient): Context {
  return {
    caller,
    clients: new DataLoader((ids: readonly string[]) =>
      Promise.all(ids.map((id) => getClient(id, caller!.authorization).catch((error: Error) => error))),
    ),
  };
}

const needsRead = (context: Context) => {
  if (!context.caller) throw new Error("unauthenticated");
  if (!context.caller.scopes.has("oauth:clients:read")) throw new Error("forbidden");
};
const orNull = (value: unknown) => (value === "" || value === undefined ? null : value);
const string = (name: string) => ({ type: GraphQLString, resolve: (c: Record<string, unknown>) => orNull(c[name]) });
const boolean = (name: string) => ({
  type: new GraphQLNonNull(GraphQLBoolean),
  resolve: (c: Record<string, unknown>) => c[name] ?? false,
});
const strings = (name: string) => ({
  type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))),
  resolve: (c: Record<string, unknown>) => c[name] ?? [],
});
const JSONObject = new GraphQLScalarType({ name: "JSONObject" });
const Any = new GraphQLScalarType({ name: "_Any" });
const Binding = new GraphQLObjectType({
  name: "ApplicationBinding",
  fields: {
    applicationId: { type: new GraphQLNonNull(GraphQLString) },
    config: {
      type: new GraphQLNonNull(
        new GraphQLObjectType({
          name: "ApplicationBindingConfig",
          fields: { jsonConfig: { type: new GraphQLNonNull(JSONObject), resolve: (c) => c.jsonConfig ?? {} } },
        }),
      ),
      resolve: (b) => b.config ?? {},
    },
  },
});
const OAuthClient = new GraphQLObjectType({
  name: "OAuthClient",
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID), resolve: (c) => c.clientId },
    name: { type: new GraphQLNonNull(GraphQLString) },
    ...Object.fromEntries(
      [
        "description",
        "redirectUri",
        "websiteUrl",
        "logoUrl",
        "applicationId",
        "backchannelLogoutUri",
        "frontchannelLogoutUri",
        "createdAt",
        "updatedAt",
      ].map((f) => [f, string(f)]),
    ),
    ...Object.fromEntries(
      [
        "supportsRefreshToken",
        "supportsImplicitGrant",
        "supportsDeviceCodeGrant",
        "supportsCodeGrant",
        "isVerified",
        "usesManagedBuckets",
        "backchannelLogoutSessionRequired",
        "frontchannelLogoutSessionRequired",
      ].map((f) => [f, boolean(f)]),
    ),
    allowedDelegators: strings("allowedDelegators"),
    postLogoutRedirectUris: strings("postLogoutRedirectUris"),
    applicationBindings: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Binding))),
      resolve: (c) => c.applicationBindings ?? [],
    },
  },
});
export const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      oauthClient: {
        type: OAuthClient,
        args: { id: { type: new GraphQLNonNull(GraphQLID) } },
        resolve: (_root, args: { id: string }, context: Context) => {
          needsRead(context);
          return context.clients.load(args.id.toLowerCase());
        },
      },
      _entities: {
        type: new GraphQLNonNull(new GraphQLList(OAuthClient)),
        args: { representations: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Any))) } },
        resolve: (_root, args: { representations: { id: string }[] }, context: Context) => {
          needsRead(context);
          return args.representations.map((r) => context.clients.load(String(r.id).toLowerCase()));
        },
      },
    },
  }),
  types: [OAuthClient],
});
