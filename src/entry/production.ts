import { loadConfigOrExit } from "../config/index.js";
import { resolveConfig } from "../config/upstream-settings.js";
import { runService } from "./run-service.js";

/**
 * The production entry, bundled by `npm run build` into dist/oauth-clients-graph.mjs: the
 * facade alone, against the upstream and issuer its environment names. It never imports
 * the development upstream, and stops at start, naming each missing setting.
 */
await runService({ config: resolveConfig(loadConfigOrExit("production")) });
