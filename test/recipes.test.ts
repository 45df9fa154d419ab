import { type GraphQLField, getNamedType, isUnionType } from "graphql";
import { describe, expect, it } from "vitest";
import { ClientsService } from "../src/gen/xeonr/auth/api/v1/clients_pb.js";
import { REQUIRED_SCOPES } from "../src/permissions/table.js";
import { COST_WEIGHTS } from "../src/schema/cost.js";
import { ROTATION } from "../src/schema/rotations.js";
import { schema } from "../src/schema/schema.js";
import { createUpstream, PROCEDURES } from "../src/upstream/clients-service.js";

/**
 * What docs/architecture.md's recipes ask of a change, held here: a root field or an upstream
 * procedure added without its permission, its price or its budget fails a test.
 */

/** The root fields of a type that reach the upstream: all but federation's own (`_service`). */
function upstreamFields(typeName: "Query" | "Mutation"): GraphQLField<unknown, unknown>[] {
  const type = typeName === "Query" ? schema.getQueryType() : schema.getMutationType();
  return Object.values(type?.getFields() ?? {}).filter(
    (field) => !field.name.startsWith("_") || field.name === "_entities",
  );
}

describe("the recipes' bars", () => {
  it("every root field has a rule in the permission table", () => {
    for (const typeName of ["Query", "Mutation"] as const) {
      for (const field of upstreamFields(typeName))
        expect(REQUIRED_SCOPES, `${typeName}.${field.name}`).toHaveProperty([`${typeName}.${field.name}`]);
    }
  });

  it("every root field that reaches the upstream is priced: by its own weight or its type's", () => {
    for (const typeName of ["Query", "Mutation"] as const) {
      for (const field of upstreamFields(typeName)) {
        const coordinate = `${typeName}.${field.name}`;
        const type = getNamedType(field.type);
        const types = isUnionType(type) ? type.getTypes().map((member) => member.name) : [type.name];
        const priced = coordinate in COST_WEIGHTS || types.some((name) => name in COST_WEIGHTS);
        expect(priced, coordinate).toBe(true);
      }
    }
  });

  it("every mutation is one whose upstream call admission reserves (a rotation), so no bound can stop it once begun", () => {
    expect(upstreamFields("Mutation").map((field) => field.name)).toEqual([ROTATION]);
  });

  it("every procedure of ClientsService is listed with how it is called: a read retried, a write reserved", () => {
    const listed = Object.keys(PROCEDURES).sort();
    expect(ClientsService.methods.map((method) => method.name).sort()).toEqual(listed);
    // The one write is the rotation, whose call admission reserves.
    expect(Object.entries(PROCEDURES).filter(([, kind]) => kind === "write")).toEqual([["RegenerateSecret", "write"]]);
  });

  it("every procedure of ClientsService is a method of the one upstream client", () => {
    const upstream = createUpstream({
      url: "http://127.0.0.1:9",
      wireFormat: "json",
      httpVersion: "1.1",
      callTimeoutMs: 1_000,
      maxInFlightPerRequest: 1,
      maxInFlight: 1,
      maxCallsPerRequest: 1,
      retries: 0,
      maxResponseBytes: 1_024,
    });
    try {
      const procedures = Object.keys(ClientsService.method);
      expect(procedures.length).toBeGreaterThan(0);
      for (const procedure of procedures)
        expect(typeof upstream[procedure as keyof typeof upstream], procedure).toBe("function");
    } finally {
      upstream.close();
    }
  });
});
