import cluster from "node:cluster";
import { SCOPE_MANAGE, SCOPE_READ } from "./auth/scopes.js";
import { type ResolvedConfig, loadConfigOrExit, resolveConfig } from "./config.js";
import { DEV_AUDIENCE, DEV_ISSUER } from "./dev-upstream/issuer.js";
import { startDevUpstream } from "./dev-upstream/server.js";
import { type Logger, createLogger } from "./logger.js";
import { startFacade } from "./server/server.js";

/**
 * `npm start`: the facade, and the development upstream in-process when no UPSTREAM_URL
 * is set. With WORKERS > 1 this process is the cluster's primary: it owns the development
 * upstream, forks the workers that serve, and passes SIGTERM on to them.
 */

const loaded = loadConfigOrExit();
// Workers get the settled upstream in their environment from the primary.
const devUpstream =
  loaded.upstream.url || cluster.isWorker ? undefined : await startDevUpstream({ keyFile: loaded.devIssuerKeyFile });
const config = resolveConfig(
  loaded,
  devUpstream && {
    url: devUpstream.url,
    jwksUrl: `${devUpstream.url}/.well-known/jwks.json`,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
  },
);

const logger = createLogger(config.logLevel);
const devToken = await devUpstream?.issuer.mint({ scopes: [SCOPE_READ, SCOPE_MANAGE] });

if (cluster.isPrimary && config.workers > 1) {
  await runPrimary(config, logger);
} else {
  const facade = await startFacade({ config, logger, developmentToken: devToken ?? config.graphiqlToken });
  logger.info({ url: facade.graphqlUrl, upstream: devUpstream ? "development" : "configured" }, "facade listening");
  printDevelopmentBanner(facade.graphqlUrl);
  onShutdownSignal(async () => {
    await facade.close();
    await devUpstream?.close();
  });
}

/** Forks the workers, replaces any that dies, and on SIGTERM waits for all to finish. */
async function runPrimary(config: ResolvedConfig, logger: Logger) {
  // Workers find the settled upstream (the development one included) in their environment.
  const workerEnv = {
    UPSTREAM_URL: config.upstream.url,
    AUTH_JWKS_URL: config.auth.jwksUrl,
    AUTH_ISSUER: config.auth.issuer,
    AUTH_AUDIENCE: config.auth.audience,
    GRAPHIQL_TOKEN: devToken ?? config.graphiqlToken,
  };
  let stopping = false;
  const fork = () => cluster.fork(workerEnv);
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    setTimeout(fork, 500);
  });
  const listening = new Promise<string>((resolve) =>
    cluster.once("listening", (_worker, address) => resolve(`http://${address.address ?? config.host}:${address.port}/graphql`)),
  );
  for (let i = 0; i < config.workers; i++) fork();
  const graphqlUrl = await listening;
  logger.info({ url: graphqlUrl, workers: config.workers }, "facade listening");
  printDevelopmentBanner(graphqlUrl);

  onShutdownSignal(async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
          }),
      ),
    );
    await devUpstream?.close();
  });
}

function printDevelopmentBanner(graphqlUrl: string) {
  if (!devUpstream) return;
  // For the person at the terminal, not the logs.
  process.stdout.write(
    [
      "",
      `  GraphiQL:             ${graphqlUrl}`,
      `  Development upstream: ${devUpstream.url} (in-process; set UPSTREAM_URL to use a real one)`,
      `  Development token (${SCOPE_READ} ${SCOPE_MANAGE}, 12h):`,
      `    ${devToken}`,
      "",
    ].join("\n") + "\n",
  );
}

function onShutdownSignal(close: () => Promise<void>) {
  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}
