import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createGatewayRuntime, type GatewayPlugin, type GatewayRuntime } from "@graphql-hive/gateway-runtime";
import { createRemoteJwksSigningKeyProvider, extractFromHeader, useJWT } from "@graphql-mesh/plugin-jwt-auth";
import type { UpstreamSettings } from "../config/upstream-settings.js";

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
  host?: string;
  port?: number;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { jwksUrl, issuer, audience } = options.issuer;
  const runtime: GatewayRuntime = createGatewayRuntime({
    supergraph: options.supergraph,
    logging: false,
    // Not forwarded by default: without this the subgraph sees no token at all.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") ?? "" }),
    },
    ...(options.trustedDocuments
      ? {
          persistedDocuments: {
            getPersistedOperation: (hash: string) => options.trustedDocuments!.manifest[hash] ?? null,
            allowArbitraryDocuments: !options.trustedDocuments.only,
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
  const server: Server = createServer(runtime);
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
