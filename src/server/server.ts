import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTokenVerifier } from "../auth/verifier.js";
import type { ResolvedConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { createClientsUpstream } from "../upstream/clients-service.js";
import { GRAPHQL_PATH, createGraphQLHandler } from "./yoga.js";

export interface FacadeOptions {
  config: ResolvedConfig;
  logger: Logger;
  /** The development upstream's token: GraphiQL opens with it, in development mode only. */
  developmentToken?: string | undefined;
}

export interface RunningFacade {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  graphqlUrl: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the facade's HTTP server and resolves once it is listening. */
export async function startFacade({ config, logger, developmentToken }: FacadeOptions): Promise<RunningFacade> {
  const upstream = createClientsUpstream(config.upstream);
  const yoga = createGraphQLHandler({
    verifyToken: createTokenVerifier(config.auth, logger),
    upstream,
    maxConcurrency: config.upstream.maxConcurrency,
    introspection: config.introspection,
    logger,
    graphiqlToken: config.env === "development" ? developmentToken : undefined,
  });
  const server = createServer(yoga);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      upstream.close();
    },
  };
}
