import { writeFileSync } from "node:fs";
import { printSchemaSDL } from "../schema/index.js";

writeFileSync(new URL("../../schema.graphql", import.meta.url), printSchemaSDL());
