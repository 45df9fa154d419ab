import { ConfigError, loadConfig } from "./config.js";
import { DEV_KEY_FILE } from "./dev-upstream/dev-key-file.js";
import { startDevUpstream } from "./dev-upstream/server.js";
import { createLogger } from "./logger.js";
import { startFacade } from "./server/server.js";

/** `npm start`: the facade, and the development upstream in-process when no UPSTREAM_URL is set. */

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
const devUpstream = config.upstream.url ? undefined : await startDevUpstream({ keyFile: DEV_KEY_FILE });
const devToken = await devUpstream?.issuer.mint({ scopes: ["oauth:clients:read", "oauth:clients:manage"] });

const facade = await startFacade({
  config,
  upstreamUrl: config.upstream.url ?? devUpstream!.url,
  logger,
  graphiqlToken: config.env === "development" ? devToken : undefined,
});
logger.info({ url: facade.graphqlUrl, upstream: devUpstream ? "development" : "configured" }, "facade listening");

if (devUpstream) {
  // For the person at the terminal, not the logs.
  process.stdout.write(
    [
      "",
      `  GraphiQL:            ${facade.graphqlUrl}`,
      `  Development upstream: ${devUpstream.url} (in-process; set UPSTREAM_URL to use a real one)`,
      `  Development token (read + manage, 12h):`,
      `    ${devToken}`,
      "",
    ].join("\n") + "\n",
  );
}

async function shutdown(signal: string) {
  logger.info({ signal }, "shutting down");
  await facade.close();
  await devUpstream?.close();
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
