import { SCOPE_MANAGE, SCOPE_READ } from "../auth/scopes.js";
import { loadConfigOrExit } from "../config/config.js";
import { graphiqlTokenEnvironment, resolveConfig, upstreamEnvironment } from "../config/upstream-settings.js";
import { startDevUpstream } from "../dev-upstream/server.js";
import { runService } from "./run-service.js";

/**
 * `npm start`: the development upstream and its token issuer in-process (unless UPSTREAM_URL
 * names another upstream), then the same facade the production entry runs, with GraphiQL
 * opening on a development token. Workers find the upstream in their environment.
 */
const loaded = loadConfigOrExit("development");
const devUpstream = loaded.upstream.url ? undefined : await startDevUpstream({ keyFile: loaded.devIssuerKeyFile });
const graphiqlToken = devUpstream
  ? await devUpstream.tokens.mint({ scopes: [SCOPE_READ, SCOPE_MANAGE] })
  : loaded.graphiqlToken;

await runService({
  config: resolveConfig(loaded, devUpstream),
  graphiqlToken,
  workerEnv: {
    ...(devUpstream ? upstreamEnvironment(devUpstream) : {}),
    ...graphiqlTokenEnvironment(graphiqlToken),
  },
  banner: (graphqlUrl) =>
    [
      "",
      `  GraphiQL:             ${graphqlUrl}`,
      devUpstream
        ? `  Development upstream: ${devUpstream.url} (in-process; set UPSTREAM_URL to use a real one)`
        : `  Upstream:             ${loaded.upstream.url}`,
      ...(devUpstream ? [`  Development token (${SCOPE_READ} ${SCOPE_MANAGE}, 12h):`, `    ${graphiqlToken}`] : []),
      "",
      "",
    ].join("\n"),
  afterStop: devUpstream?.close,
});
