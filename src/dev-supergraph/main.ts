import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { SCOPE_MANAGE, SCOPE_READ } from "../auth/scopes.js";
import { loadConfigOrExit } from "../config/config.js";
import { resolveConfig } from "../config/upstream-settings.js";
import { orExit, readVariables } from "../config/variables.js";
import { startDevUpstream } from "../dev-upstream/server.js";
import { startFacade } from "../facade.js";
import { createLogger } from "../logger.js";
import { startApplicationsSubgraph } from "./applications-subgraph.js";
import { CompositionError, composeGuild } from "./compose.js";
import { startGateway } from "./gateway.js";

/**
 * `npm run supergraph`: the supergraph a frontend team sees, on a laptop, in one process and
 * with no network but loopback: the development upstream, this facade and a small second
 * subgraph (applications) on free ports, composed in-process with The Guild's composition,
 * behind Hive Gateway on PORT (default 4000), which forwards the caller's token, enforces
 * `@requiresScopes` with its JWT plugin against the development issuer and prices operations
 * by the subgraphs' `@cost`; this service still enforces behind it. The schema is composed at
 * start: restart the command after changing it. Ctrl-C or SIGTERM stops everything.
 */

const config = loadConfigOrExit("development");
const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
const upstream = await startDevUpstream({ keyFile: config.devIssuerKeyFile });
const facade = await startFacade({ config: { ...resolveConfig(config, upstream), port: 0 }, logger });
const applications = await startApplicationsSubgraph();
const stops: (() => Promise<void>)[] = [applications.close, facade.close, upstream.close];

async function stop(code: number) {
  for (const close of stops) await close().catch(() => undefined);
  process.exit(code);
}

let supergraph: string;
try {
  // Composed from the SDL the facade serves, as a gateway composing from subgraphs would.
  const sdl = (await (
    await fetch(facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ _service { sdl } }" }),
    })
  ).json()) as { data: { _service: { sdl: string } } };
  supergraph = composeGuild([
    { name: "oauth-clients", typeDefs: parse(sdl.data._service.sdl), url: facade.graphqlUrl },
    { name: "applications", typeDefs: applications.typeDefs, url: applications.url },
  ]);
} catch (error) {
  if (!(error instanceof CompositionError)) throw error;
  process.stderr.write(`Composition failed:\n${error.errors.map((e) => `  ${e.message}`).join("\n")}\n`);
  await stop(1);
  throw error;
}

// The client preset's manifest of operations/ (npm run codegen): accepted by hash, and with
// TRUSTED_DOCUMENTS_ONLY=true the only operations accepted at all.
const manifest = JSON.parse(
  readFileSync(new URL("../../examples/gql/persisted-documents.json", import.meta.url), "utf8"),
) as Record<string, string>;
const { TRUSTED_DOCUMENTS_ONLY } = orExit(() => readVariables(process.env, ["TRUSTED_DOCUMENTS_ONLY"])).values;
const mint = (scopes: string[]) => upstream.tokens.mint({ scopes });
const [read, manage, both] = await Promise.all([
  mint([SCOPE_READ]),
  mint([SCOPE_MANAGE]),
  mint([SCOPE_READ, SCOPE_MANAGE]),
]);
const example = "{ applications { name clients { id name redirectUri } } }";
const gateway = await startGateway({
  supergraph,
  issuer: upstream,
  enforce: true,
  trustedDocuments: { manifest, only: TRUSTED_DOCUMENTS_ONLY },
  graphiql: { defaultQuery: example, token: read },
  allowedHosts: config.http.allowedHosts?.names,
  host: config.host,
  port: config.port,
});
stops.unshift(gateway.close);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stop(0));
process.stdout.write(
  [
    "",
    `  Gateway (Hive Gateway, GraphiQL with the read token): ${gateway.url}`,
    `  Subgraphs: oauth-clients ${facade.graphqlUrl}, applications ${applications.url}`,
    `  Development upstream: ${upstream.url}`,
    `  Trusted documents: ${Object.keys(manifest).length} from examples/gql/persisted-documents.json${TRUSTED_DOCUMENTS_ONLY ? ", and no other operation" : " (others allowed; TRUSTED_DOCUMENTS_ONLY=true refuses them)"}`,
    "",
    `  Token, ${SCOPE_READ}:`,
    `    ${read}`,
    `  Token, ${SCOPE_MANAGE}:`,
    `    ${manage}`,
    `  Token, ${SCOPE_READ} ${SCOPE_MANAGE}:`,
    `    ${both}`,
    "",
    "  A query across both subgraphs (the Fixtures application lists one client id that does not",
    "  exist: null in its place, with a NOT_FOUND error):",
    `    curl -s ${gateway.url} -H 'content-type: application/json' -H "authorization: Bearer <the read token>" \\`,
    `      -d '${JSON.stringify({ query: example })}'`,
    "",
    "",
  ].join("\n"),
);
