import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.js";
import "./query.js";
import "./mutation.js";

export const schema = builder.toSchema();

/** The SDL committed as schema.graphql. */
export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
