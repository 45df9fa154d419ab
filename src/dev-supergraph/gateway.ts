import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createGatewayRuntime, type GatewayPlugin, type GatewayRuntime } from "@graphql-hive/gateway-runtime";
import { createRemoteJwksSigningKeyProvider, extractFromHeader, useJWT } from "@graphql-mesh/plugin-jwt-auth";
import { GraphQLError, type GraphQLErrorExtensions } from "graphql";
import type { UpstreamSettings } from "../config/variables.js";
import { hostGuard } from "../http/guards.js";

/**
 * Hive Gateway in front of a supergraph, as a router runs it: the caller's token forwarded to
 * the subgraphs, and, when `enforce` is set, `@requiresScopes`/`@authenticated` enforced at the
 * gateway by its JWT plugin against the token issuer's JWKS, and demand control reading the
 * subgraphs' `@cost` (the subgraphs still enforce behind it). The runtime loads
 * `@graphql-mesh/transport-http` by name when it first calls a subgraph (knip.json says so).
 */

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

export interface GatewayOptions {
  supergraph: string;
  /** Whose tokens the gateway verifies when it enforces. */
  issuer: Pick<UpstreamSettings, "jwksUrl" | "issuer" | "audience">;
  enforce: boolean;
  /** Trusted documents by hash (a client preset manifest); `only` refuses every other operation. */
  trustedDocuments?: { manifest: Readonly<Record<string, string>>; only: boolean };
  /** What GraphiQL opens with: a query, and a token in its headers (this is a laptop's gateway). */
  graphiql?: { defaultQuery: string; token: string };
  /** Host names answered besides loopback ones (ALLOWED_HOSTS): a rebound DNS name gets nothing, the token least of all. */
  allowedHosts?: string[];
  host?: string;
  port?: number;
}

/** A refusal of the gateway's own, with Hive Gateway's codes (not this service's catalog). */
const gatewayRefusal = (code: string, message: string) => () =>
  new GraphQLError(message, { extensions: { code, http: { status: 400 } } as GraphQLErrorExtensions });

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { jwksUrl, issuer, audience } = options.issuer;
  const runtime: GatewayRuntime = createGatewayRuntime({
    supergraph: options.supergraph,
    logging: false,
    // GraphiQL from the installed package, as this service's own: the runtime's default page
    // loads its scripts from unpkg.com, blank offline.
    renderGraphiQL: async (graphiql) =>
      (await import("@graphql-yoga/render-graphiql")).renderGraphiQL({
        ...graphiql,
        title: "oauth-clients supergraph",
        ...(options.graphiql && {
          defaultQuery: options.graphiql.defaultQuery,
          headers: JSON.stringify({ Authorization: `Bearer ${options.graphiql.token}` }),
        }),
      }),
    // Not forwarded by default: without this the subgraph sees no token at all.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") ?? "" }),
    },
    ...(options.trustedDocuments
      ? {
          persistedDocuments: {
            // By `sha256:<hex>` (the client preset's ids) or the bare hex (what APQ-style clients send).
            getPersistedOperation: (hash: string) => {
              const { manifest } = options.trustedDocuments!;
              // Own keys only: `__proto__` or `constructor` is no document.
              const key = [hash, `sha256:${hash}`].find((candidate) => Object.hasOwn(manifest, candidate));
              return key === undefined ? null : manifest[key]!;
            },
            allowArbitraryDocuments: !options.trustedDocuments.only,
            customErrors: {
              persistedQueryOnly: gatewayRefusal(
                "TRUSTED_DOCUMENT_REQUIRED",
                "This gateway runs trusted documents only (TRUSTED_DOCUMENTS_ONLY=true): send a document's hash from examples/gql/persisted-documents.json (extensions.persistedQuery.sha256Hash, or documentId), not its text.",
              ),
              notFound: gatewayRefusal(
                "PERSISTED_QUERY_NOT_FOUND",
                "No trusted document has that hash: the manifest is examples/gql/persisted-documents.json (npm run codegen writes it).",
              ),
            },
          },
        }
      : {}),
    ...(options.enforce
      ? {
          plugins: () => [
            useJWT({
              signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: jwksUrl })],
              tokenLookupLocations: [extractFromHeader({ name: "authorization", prefix: "Bearer" })],
              tokenVerification: { algorithms: ["ES256"], issuer, audience },
              reject: { missingToken: true, invalidToken: true },
              // The token itself goes to the subgraph, which verifies it; claims need not travel.
              forward: { payload: false },
              // Its context type is narrower than the runtime's plugin list accepts; it runs as any plugin does.
            }) as GatewayPlugin,
          ],
          genericAuth: {
            mode: "protect-granular" as const,
            // The verified claims, where the JWT plugin put them; their `scope` is split on spaces.
            // biome-ignore lint/suspicious/noExplicitAny: the runtime's context type is open-ended.
            resolveUserFn: (context: Record<string, any>) => context.jwt?.payload,
            rejectUnauthenticated: false,
          },
          demandControl: { includeExtensionMetadata: true },
        }
      : {}),
  });
  // As the development entry does: only loopback and listed Host names are answered, and
  // nothing is kept by a cache (its GraphiQL page holds a token).
  const guard = hostGuard({ names: options.allowedHosts ?? [], loopback: true })!;
  const server: Server = createServer((request, response) => {
    if (guard(request, response)) return;
    response.setHeader("cache-control", "no-store");
    void runtime(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.dispose();
    },
  };
}
