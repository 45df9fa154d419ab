import { SCOPE_MANAGE, SCOPE_READ } from "./auth/scopes.js";
import { ConfigError, type ResolvedConfig, loadConfig, resolveConfig } from "./config.js";
import { DEV_KEY_FILE } from "./dev-upstream/dev-key-file.js";
import { DEV_AUDIENCE, DEV_ISSUER } from "./dev-upstream/issuer.js";
import { type DevUpstream, startDevUpstream } from "./dev-upstream/server.js";
import { createLogger } from "./logger.js";
import { startFacade } from "./server/server.js";

/** `npm start`: the facade, and the development upstream in-process when no UPSTREAM_URL is set. */

function exitWith(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

let config: ResolvedConfig;
let devUpstream: DevUpstream | undefined;
try {
  const loaded = loadConfig();
  devUpstream = loaded.upstream.url ? undefined : await startDevUpstream({ keyFile: DEV_KEY_FILE });
  config = resolveConfig(
    loaded,
    devUpstream && {
      url: devUpstream.url,
      jwksUrl: `${devUpstream.url}/.well-known/jwks.json`,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    },
  );
} catch (error) {
  exitWith(error);
}

const logger = createLogger(config.logLevel);
const devToken = await devUpstream?.issuer.mint({ scopes: [SCOPE_READ, SCOPE_MANAGE] });
const facade = await startFacade({ config, logger, developmentToken: devToken });
logger.info({ url: facade.graphqlUrl, upstream: devUpstream ? "development" : "configured" }, "facade listening");

if (devUpstream) {
  // For the person at the terminal, not the logs.
  process.stdout.write(
    [
      "",
      `  GraphiQL:             ${facade.graphqlUrl}`,
      `  Development upstream: ${devUpstream.url} (in-process; set UPSTREAM_URL to use a real one)`,
      `  Development token (${SCOPE_READ} ${SCOPE_MANAGE}, 12h):`,
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
