import { writeFileSync } from "node:fs";
import { printSchemaSDL } from "../src/schema/index.js";

writeFileSync(new URL("../schema.graphql", import.meta.url), printSchemaSDL());
