import { parseArgs } from "node:util";
import { orExit, readVariables } from "../config/variables.js";
import { startDevUpstream } from "./server.js";

/**
 * `npm run upstream -- [--port N] [--host H] [--http2]`: the development upstream on its own.
 * Its first line on stdout is the JSON of its settings (url, jwksUrl, issuer, audience).
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4100" },
    host: { type: "string", default: "127.0.0.1" },
    http2: { type: "boolean", default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, got ${JSON.stringify(values.port)}\n`);
  process.exit(2);
}

const keyFile = orExit(() => readVariables(process.env, ["DEV_ISSUER_KEY_FILE"])).values.DEV_ISSUER_KEY_FILE;
const {
  tokens: _tokens,
  close,
  ...settings
} = await startDevUpstream({ host: values.host, port, keyFile, http2: values.http2 });
process.stdout.write(`${JSON.stringify(settings)}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void close().then(() => process.exit(0)));
}
