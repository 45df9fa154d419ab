import { loadConfigOrExit } from "../config/config.js";
import { resolveConfig } from "../config/upstream-settings.js";
import { runService } from "./run-service.js";

/**
 * The production service, loaded by the production entry once the Node version is known to
 * fit: the facade alone, against the upstream and issuer its environment names. It never
 * imports the development upstream, and stops at start, naming each missing setting.
 */
await runService({ config: resolveConfig(loadConfigOrExit("production")) });
