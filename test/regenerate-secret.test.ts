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
    const { client } = regenerated.body.data!.regenerateClientSecret;
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

  it("calls RegenerateSecret exactly once per mutation field, even for the same id twice", async () => {
    const { body } = await stack.graphql(`mutation {
      a: regenerateClientSecret(input: { clientId: "${CLIENT_ID}" }) { client { clientSecret } }
      b: regenerateClientSecret(input: { clientId: "${CLIENT_ID}" }) { client { clientSecret } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.a.client.clientSecret).not.toBe(body.data!.b.client.clientSecret);
    expect((await stack.upstreamStats()).calls).toEqual({ RegenerateSecret: 2 });
  });

  it("answers NOT_FOUND for an id no client has", async () => {
    const { body } = await stack.graphql(REGENERATE, { variables: { id: "9f8e7d6c-5b4a-4392-8170-000000000000" } });
    expect(body.data).toBeNull();
    expect(body.errors![0]!.extensions!.code).toBe("NOT_FOUND");
  });

  it("rejects a malformed id with BAD_USER_INPUT and makes no upstream call", async () => {
    const { body } = await stack.graphql(REGENERATE, { variables: { id: "9f8e7d6c" } });
    expect(body.data).toBeNull();
    expect(body.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "input.clientId" });
    expect((await stack.upstreamStats()).calls).toEqual({});
  });
});
