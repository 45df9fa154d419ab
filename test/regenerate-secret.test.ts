import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ClientSecretDocument, RegenerateSecretDocument } from "./gen/operations.js";
import { type Stack, startStack } from "./support/stack.js";

const CLIENT_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const REGENERATE = RegenerateSecretDocument;
const READ_SECRET = ClientSecretDocument;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.resetUpstreamStats());

describe("Mutation.regenerateClientSecret", () => {
  it("returns a new secret that a following query shows, and the old one is gone", async () => {
    const before = await stack.graphql(READ_SECRET, { variables: { id: CLIENT_ID } });
    const oldSecret = before.body.data!.oauthClient!.clientSecret!;
    expect(oldSecret).toMatch(/^sk_live_/);

    const regenerated = await stack.graphql(REGENERATE, { variables: { id: CLIENT_ID } });
    expect(regenerated.body.errors).toBeUndefined();
    const { client } = regenerated.body.data!.regenerateClientSecret!;
    expect(client.id).toBe(CLIENT_ID);
    expect(client.clientSecret).toMatch(/^sk_live_[0-9a-f]{32}$/);
    expect(client.clientSecret).not.toBe(oldSecret);
    expect(new Date(client.updatedAt!).getTime()).toBeGreaterThan(
      new Date(before.body.data!.oauthClient!.updatedAt!).getTime(),
    );

    const after = await stack.graphql(READ_SECRET, { variables: { id: CLIENT_ID } });
    expect(after.body.data!.oauthClient!.clientSecret).toBe(client.clientSecret);
    const direct = await stack.connectCall("GetClient", { clientId: CLIENT_ID, includeSecret: true });
    expect(direct.body.Client.clientSecret).toBe(client.clientSecret);
    expect(JSON.stringify(direct.body)).not.toContain(oldSecret);
  });

  it("rotates a client at most once per HTTP request: two aliases for it are refused with DUPLICATE_ROTATION before either runs", async () => {
    const before = await stack.connectCall("GetClient", { clientId: CLIENT_ID, includeSecret: true });
    const { body } = await stack.graphql(`mutation {
      a: regenerateClientSecret(input: { clientId: "${CLIENT_ID}" }) { client { clientSecret } }
      b: regenerateClientSecret(input: { clientId: "${CLIENT_ID.toUpperCase()}" }) { client { clientSecret } }
    }`);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toMatchObject({ code: "DUPLICATE_ROTATION", clientId: CLIENT_ID });
    expect((await stack.upstreamStats()).calls).toEqual({ GetClient: 1 });
    const after = await stack.connectCall("GetClient", { clientId: CLIENT_ID, includeSecret: true });
    expect(after.body.Client.clientSecret).toBe(before.body.Client.clientSecret);
  });

  it("rotates a client at most once per HTTP request across the operations of a batch", async () => {
    const mutation = {
      query: `mutation { regenerateClientSecret(input: { clientId: "${CLIENT_ID}" }) { client { id clientSecret } } }`,
    };
    const { body: results } = await stack.batch([mutation, mutation, mutation]);
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? "rotated");
    expect(codes.filter((code) => code === "rotated")).toHaveLength(1);
    expect(codes.filter((code) => code === "DUPLICATE_ROTATION")).toHaveLength(2);
    expect((await stack.upstreamStats()).calls).toEqual({ RegenerateSecret: 1 });
  });

  it("rotates distinct clients in one request, each once", async () => {
    const other = "550e8400-e29b-41d4-a716-446655440000";
    const { body } = await stack.graphql(`mutation {
      a: regenerateClientSecret(input: { clientId: "${CLIENT_ID}" }) { client { clientSecret } }
      b: regenerateClientSecret(input: { clientId: "${other}" }) { client { clientSecret } }
    }`);
    expect(body.errors).toBeUndefined();
    expect((await stack.upstreamStats()).calls).toEqual({ RegenerateSecret: 2 });
  });

  it("answers NOT_FOUND for an id no client has", async () => {
    const { body } = await stack.graphql(REGENERATE, { variables: { id: "9f8e7d6c-5b4a-4392-8170-000000000000" } });
    expect(body.data).toEqual({ regenerateClientSecret: null });
    expect(body.errors![0]!.extensions!.code).toBe("NOT_FOUND");
  });

  it("rejects a malformed id with BAD_USER_INPUT and makes no upstream call", async () => {
    const { body } = await stack.graphql(REGENERATE, { variables: { id: "9f8e7d6c" } });
    expect(body.data).toEqual({ regenerateClientSecret: null });
    expect(body.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "input.clientId" });
    expect((await stack.upstreamStats()).calls).toEqual({});
  });
});
