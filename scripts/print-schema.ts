import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printSchemaSDL } from "../src/schema/schema.js";

/** `npm run schema`: writes the subgraph SDL the Pothos schema builds to schema.graphql, and says so. */
const target = new URL("../schema.graphql", import.meta.url);
const sdl = printSchemaSDL();
writeFileSync(target, sdl);
process.stdout.write(`wrote ${fileURLToPath(target)} (${sdl.split("\n").length - 1} lines)\n`);
