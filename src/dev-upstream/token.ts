import { parseArgs } from "node:util";
import { orExit, readVariables } from "../config/variables.js";
import { KNOWN_SCOPES } from "../permissions/table.js";
import { DevIssuer } from "./issuer.js";

const USAGE = `Usage: npm run token -- [SCOPE…] [options]

Prints a development token, signed with the development upstream's key (DEV_ISSUER_KEY_FILE).
With no SCOPE it grants oauth:clients:read. The scopes the service knows (src/permissions/table.ts):
${KNOWN_SCOPES.map((scope) => `  ${scope}`).join("\n")}
Any other is minted too, with a warning: the service gives it no meaning.

Options:
  --subject S       the token's sub (default: dev-user)
  --expires-in S    lifetime in seconds (default 12 h)
  --expired         already expired (for trying refusals)
  --not-before S    not valid until S seconds from now
  --audience A      another aud (the facade refuses it: wrong_audience)
  --issuer I        another iss (the facade refuses it: wrong_issuer)
  --help            this text
`;

/** One line and the usage, exit 2: a person typed this. */
function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      "expires-in": { type: "string" },
      expired: { type: "boolean" },
      "not-before": { type: "string" },
      audience: { type: "string" },
      issuer: { type: "string" },
      subject: { type: "string" },
      help: { type: "boolean" },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  usageError((error as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) usageError(`--${name} takes a whole number of seconds, got ${JSON.stringify(value)}`);
  return n;
}
const expiresInSeconds = values.expired ? -60 : seconds("expires-in", values["expires-in"]);
const notBeforeInSeconds = seconds("not-before", values["not-before"]);

for (const scope of positionals) {
  if (!KNOWN_SCOPES.includes(scope)) {
    process.stderr.write(
      `warning: the service knows no scope ${JSON.stringify(scope)} (it knows ${KNOWN_SCOPES.join(", ")}); minted anyway\n`,
    );
  }
}

// Only the key file: a shell with production variables set (even wrong ones) still mints.
const { DEV_ISSUER_KEY_FILE } = orExit(() => readVariables(process.env, ["DEV_ISSUER_KEY_FILE"])).values;
const issuer = await DevIssuer.create({ keyFile: DEV_ISSUER_KEY_FILE });
const token = await issuer.mint({
  scopes: positionals.length > 0 ? positionals : ["oauth:clients:read"],
  expiresInSeconds,
  notBeforeInSeconds,
  audience: values.audience,
  issuer: values.issuer,
  subject: values.subject,
});
process.stdout.write(`${token}\n`);
