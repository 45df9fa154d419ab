import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { printSchemaSDL } from "../src/schema/schema.js";
import { formatChanges, schemaChanges } from "./schema-changes.js";

/**
 * npm run schema:check [-- --base FILE_OR_URL]
 *
 * Compares the schema the code builds with a base: by default the committed schema.graphql;
 * else a file, a URL serving the SDL as text, or a running subgraph's `/graphql` endpoint
 * (asked for `_service { sdl }`, with `SCHEMA_CHECK_TOKEN` as its bearer token if set: in
 * production `_service` answers authenticated callers only). Exits 1 on a breaking change.
 */

async function readBase(base: string): Promise<string> {
  if (!/^https?:\/\//.test(base)) return readFileSync(base, "utf8");
  const url = new URL(base);
  if (!url.pathname.endsWith("/graphql")) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${base} answered ${response.status}`);
    return response.text();
  }
  const token = process.env.SCHEMA_CHECK_TOKEN;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } }; errors?: { message: string }[] };
  const sdl = body.data?._service?.sdl;
  if (!sdl) throw new Error(`${base} gave no SDL: ${body.errors?.map((e) => e.message).join("; ") ?? response.status}`);
  return sdl;
}

const { values } = parseArgs({ options: { base: { type: "string" } } });
const base = values.base ?? new URL("../schema.graphql", import.meta.url).pathname;
try {
  const changes = await schemaChanges(await readBase(base), printSchemaSDL());
  console.log(`Schema changes against ${base}:\n${formatChanges(changes)}`);
  const breaking = changes.filter((change) => change.level === "BREAKING").length;
  if (breaking > 0) {
    console.error(`\n${breaking} breaking change(s): clients using the base schema would fail.`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`schema:check could not compare: ${(error as Error).message}`);
  process.exitCode = 2;
}
