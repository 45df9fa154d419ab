import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { createClientsUpstream } from "../upstream/clients-service.js";
import { GRAPHQL_PATH, createGraphQLHandler } from "./yoga.js";

export interface FacadeOptions {
  config: Config;
  /** Where the upstream is; overrides config.upstream.url (the embedded development upstream). */
  upstreamUrl: string;
  logger: Logger;
  graphiqlToken?: string | undefined;
}

export interface RunningFacade {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  graphqlUrl: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the facade's HTTP server and resolves once it is listening. */
export async function startFacade({ config, upstreamUrl, logger, graphiqlToken }: FacadeOptions): Promise<RunningFacade> {
  const upstream = createClientsUpstream({ ...config.upstream, url: upstreamUrl });
  const yoga = createGraphQLHandler({
    upstream,
    maxConcurrency: config.upstream.maxConcurrency,
    logger,
    graphiqlToken,
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
