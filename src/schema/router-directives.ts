import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type PothosTypeConfig,
  type SchemaTypes,
} from "@pothos/core";
import { describeScopes, PUBLIC, requirementOf } from "../permissions/table.js";
import { ASSUMED_LIST_SIZE, COST_WEIGHTS } from "./cost.js";

/**
 * Declares the permission table and the cost model to routers: each field the table covers
 * gets `@authenticated` and `@requiresScopes` (each listed scope one alternative) and a
 * description naming the scope, which GraphiQL shows where it never shows directives; each
 * weighted type or field gets `@cost`, each list `@listSize`. The federation plugin prints
 * and imports them.
 */
class RouterDirectivesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const coordinate = `${fieldConfig.parentType}.${fieldConfig.name}`;
    const requirement = requirementOf(coordinate);
    const cost = COST_WEIGHTS[coordinate];
    const options: {
      authenticated?: boolean;
      requiresScopes?: string[][];
      cost?: number;
      listSize?: { assumedSize: number };
    } = {};
    let description = fieldConfig.description;
    if (requirement !== undefined && requirement !== PUBLIC) {
      options.authenticated = true;
      options.requiresScopes = requirement.map((scope) => [scope]);
      // In the first paragraph, after what the field means: GraphiQL's field list shows only that paragraph.
      description = [description, `Requires ${describeScopes(requirement)}.`].filter(Boolean).join(" ");
    }
    if (cost !== undefined) options.cost = cost;
    if (fieldConfig.type.kind === "List") options.listSize = { assumedSize: ASSUMED_LIST_SIZE };
    return {
      ...fieldConfig,
      description,
      pothosOptions: { ...fieldConfig.pothosOptions, ...options },
    } as PothosOutputFieldConfig<Types>;
  }

  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    const cost = COST_WEIGHTS[typeConfig.name];
    if (cost === undefined) return typeConfig;
    return { ...typeConfig, pothosOptions: { ...typeConfig.pothosOptions, cost } } as PothosTypeConfig;
  }
}

SchemaBuilder.registerPlugin("routerDirectives", RouterDirectivesPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      routerDirectives: RouterDirectivesPlugin<Types>;
    }
  }
}
