import cluster from "node:cluster";
import type { ResolvedConfig } from "../config/config.js";
import { createLogger, type Logger } from "../logger.js";

/**
 * What both entry points do once their configuration is settled: serve the facade from
 * this process, or, with WORKERS > 1, be the cluster's primary that forks the workers
 * (each runs the same entry again), replaces any that dies and passes SIGTERM on.
 */

export interface ServiceOptions {
  config: ResolvedConfig;
  /** A token GraphiQL opens with: given by the development entry only. */
  graphiqlToken?: string | undefined;
  /** What workers need in their environment beyond this process's own. */
  workerEnv?: Record<string, string>;
  /** Printed for the person at the terminal once the service listens (not a log line). */
  banner?: (graphqlUrl: string) => string;
  /** Run once the facade, or every worker, has stopped. */
  afterStop?: () => Promise<void>;
}

export async function runService(options: ServiceOptions): Promise<void> {
  const { config } = options;
  const logger = createLogger(config.logLevel);
  if (cluster.isPrimary) {
    logger.info({ node: process.version, mode: config.mode, workers: config.workers }, "starting");
    for (const warning of config.warnings) logger.warn(warning);
  }

  if (cluster.isPrimary && config.workers > 1) {
    await runPrimary(options, logger);
    return;
  }
  // Imported here, not at the top: a cluster's primary serves nothing and never loads the
  // GraphQL stack, which would add ~45 MB to it (bench/README.md).
  const { startFacade } = await import("../facade.js");
  const facade = await startFacade({ config, logger, graphiqlToken: options.graphiqlToken }).catch(
    (error: NodeJS.ErrnoException) => {
      // A person reads this: one line naming the setting, not a stack.
      if (error.code !== "EADDRINUSE" && error.code !== "EACCES") throw error;
      const why = error.code === "EADDRINUSE" ? "is already in use" : "may not be used by this user";
      process.stderr.write(`PORT ${config.port} on ${config.host} ${why}: set PORT (and HOST) to another.\n`);
      process.exit(1);
    },
  );
  logger.info({ url: facade.graphqlUrl, upstream: config.upstream.url }, "facade listening");
  if (cluster.isPrimary && options.banner) process.stdout.write(options.banner(facade.graphqlUrl));
  onShutdownSignal(logger, async () => {
    await facade.close();
    await options.afterStop?.();
  });
}

/** Forks the workers, replaces any that dies, and on SIGTERM waits for all to finish. */
async function runPrimary(options: ServiceOptions, logger: Logger) {
  const { config } = options;
  let stopping = false;
  const fork = () => cluster.fork(options.workerEnv);
  const { serveClusterMetrics } = await import("../metrics-cluster.js");
  serveClusterMetrics();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    setTimeout(fork, 500);
  });
  const listening = new Promise<string>((resolve) =>
    cluster.once("listening", (_worker, address) =>
      resolve(`http://${address.address ?? config.host}:${address.port}/graphql`),
    ),
  );
  for (let i = 0; i < config.workers; i++) fork();
  const graphqlUrl = await listening;
  logger.info({ url: graphqlUrl, workers: config.workers }, "facade listening");
  if (options.banner) process.stdout.write(options.banner(graphqlUrl));

  onShutdownSignal(logger, async () => {
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
    await options.afterStop?.();
  });
}

function onShutdownSignal(logger: Logger, close: () => Promise<void>) {
  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}
