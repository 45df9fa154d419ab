import { parseArgs } from "node:util";
import { loadConfigOrExit } from "../config.js";
import { DevIssuer } from "./issuer.js";

/**
 * `npm run token -- [scopes…] [--expires-in S] [--expired] [--not-before S] [--audience A] [--issuer I] [--subject S]`
 * prints a development token signed with the development upstream's key.
 * With no scopes it grants oauth:clients:read.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "expires-in": { type: "string" },
    expired: { type: "boolean" },
    "not-before": { type: "string" },
    audience: { type: "string" },
    issuer: { type: "string" },
    subject: { type: "string" },
  },
});

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) {
    process.stderr.write(`--${name} takes a whole number of seconds, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

const issuer = await DevIssuer.create({ keyFile: loadConfigOrExit("development").devIssuerKeyFile });
const token = await issuer.mint({
  scopes: positionals.length > 0 ? positionals : ["oauth:clients:read"],
  expiresInSeconds: values.expired ? -60 : seconds("expires-in", values["expires-in"]),
  notBeforeInSeconds: seconds("not-before", values["not-before"]),
  audience: values.audience,
  issuer: values.issuer,
  subject: values.subject,
});
process.stdout.write(`${token}\n`);
