import { Agent, createServer, request as httpRequest } from "node:http";
import { parseArgs } from "node:util";
import DataLoader from "dataloader";
import {
  type DocumentNode,
  execute,
  GraphQLBoolean,
  type GraphQLError,
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  parse,
  validate,
} from "graphql";
import { createRemoteJWKSet, jwtVerify } from "jose";

/**
 * Scenario F of the benchmark, and nothing else: the leanest facade a team could write for
 * the same work as the real one's B, C and D requests. `node:http` in, graphql-js `execute`
 * over a cache of parsed and validated documents, jose verification with a cache of verified
 * tokens, the `read` scope checked, a per-request DataLoader, and GetClient over the Connect
 * JSON protocol (a POST) on a keep-alive `node:http` agent, forwarding the caller's token.
 * It caches no answer across requests. Not part of the service.
 */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    upstream: { type: "string" },
    jwks: { type: "string" },
    issuer: { type: "string" },
    audience: { type: "string" },
  },
});
const upstreamUrl = new URL(values.upstream!);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const keys = createRemoteJWKSet(new URL(values.jwks!));

interface Caller {
  authorization: string;
  scopes: Set<string>;
}
const verified = new Map<string, { caller: Caller; until: number }>();

async function verify(header: string | undefined): Promise<Caller | undefined> {
  const token = header && /^Bearer (.+)$/i.exec(header)?.[1];
  if (!token) return undefined;
  const hit = verified.get(token);
  if (hit && hit.until > Date.now()) return hit.caller;
  try {
    const { payload } = await jwtVerify(token, keys, { issuer: values.issuer, audience: values.audience });
    const caller = { authorization: header, scopes: new Set(String(payload.scope ?? "").split(" ")) };
    verified.set(token, { caller, until: Math.min(payload.exp! * 1000, Date.now() + 300_000) });
    return caller;
  } catch {
    return undefined;
  }
}

function getClient(clientId: string, authorization: string): Promise<Record<string, unknown> | null> {
  const body = JSON.stringify({ clientId, includeSecret: false });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: "POST",
        path: "/xeonr.auth.api.v1.ClientsService/GetClient",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "connect-protocol-version": "1",
          authorization,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          if (res.statusCode === 404) return resolve(null);
          if (res.statusCode !== 200) return reject(new Error(`upstream ${res.statusCode}`));
          resolve(JSON.parse(text).Client);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

interface Context {
  caller: Caller | undefined;
  clients: DataLoader<string, Record<string, unknown> | null>;
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
const schema = new GraphQLSchema({
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

const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
function documentFor(query: string) {
  let document = documents.get(query);
  if (!document) {
    const parsed = parse(query);
    const errors = validate(schema, parsed);
    document = errors.length > 0 ? errors : parsed;
    documents.set(query, document);
  }
  return document;
}

const server = createServer((req, res) => {
  let text = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (text += chunk));
  req.on("end", async () => {
    const { query, variables, operationName } = JSON.parse(text);
    const document = documentFor(query);
    const caller = await verify(req.headers.authorization);
    const result = Array.isArray(document)
      ? { errors: document }
      : await execute({
          schema,
          document: document as DocumentNode,
          variableValues: variables,
          operationName,
          contextValue: {
            caller,
            clients: new DataLoader((ids: readonly string[]) =>
              Promise.all(ids.map((id) => getClient(id, caller!.authorization).catch((error: Error) => error))),
            ),
          } satisfies Context,
        });
    const body = JSON.stringify(result);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`lean facade listening on ${(server.address() as { port: number }).port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
