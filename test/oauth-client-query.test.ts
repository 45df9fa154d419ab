import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { ClientAllFieldsDocument, ExampleClientDocument } from "./gen/operations.js";
import { type Stack, startStack } from "./support/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.resetUpstreamStats());

describe("Query.oauthClient", () => {
  it("returns every field of the reference example client exactly as the upstream has it", async () => {
    const direct = await stack.connectCall("GetClient", { clientId: EXAMPLE_CLIENT_ID, includeSecret: true });
    expect(direct.status).toBe(200);
    const upstreamClient = direct.body.Client;

    const { body } = await stack.graphql(ClientAllFieldsDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    expect(body.errors).toBeUndefined();
    const { id, createdAt, updatedAt, ...rest } = body.data!.oauthClient!;

    const { clientId, createdAt: upCreated, updatedAt: upUpdated, ...upstreamRest } = upstreamClient;
    expect(id).toBe(clientId);
    expect(new Date(createdAt!).getTime()).toBe(new Date(upCreated).getTime());
    expect(new Date(updatedAt!).getTime()).toBe(new Date(upUpdated).getTime());
    expect(rest).toEqual(upstreamRest);
    // And the example really is the reference pages' one.
    expect(rest.name).toBe("My OAuth App");
    expect(rest.applicationBindings).toEqual([
      { applicationId: "app_prod_myapp", config: { jsonConfig: { property1: {}, property2: {} } } },
    ]);
  });

  it("gives null, not an error, for an id no client has", async () => {
    const { body } = await stack.graphql(`{ oauthClient(id: "550e8400-e29b-41d4-a716-4466554499ff") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ oauthClient: null });
    expect((await stack.upstreamStats()).calls.GetClient).toBe(1);
  });

  it("rejects a malformed id with BAD_USER_INPUT and makes no upstream call", async () => {
    const { body } = await stack.graphql(`{ oauthClient(id: "not-a-uuid") { id name } }`);
    expect(body.data).toEqual({ oauthClient: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName: "id" });
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("shows empty upstream strings as null and keeps JSON config values as they are", async () => {
    const { body } = await stack.graphql(`{
      cli: oauthClient(id: "550e8400-e29b-41d4-a716-446655440001") { redirectUri logoUrl description }
      acme: oauthClient(id: "0b6c1f52-8a3e-4d7b-9c21-5e4f3a2b1c0d") { applicationBindings { config { jsonConfig } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.cli).toEqual({
      redirectUri: null,
      logoUrl: null,
      description: "Command-line tool; signs in with the device code grant",
    });
    expect(body.data!.acme.applicationBindings[0].config.jsonConfig).toEqual({
      plan: "enterprise",
      seats: 250,
      regions: ["eu-west-1", "us-east-2"],
      sso: { enforced: true },
    });
  });
});

describe("selection-driven secrets", () => {
  const includeSecretFlags = async () => (await stack.upstreamStats()).recent.map((call) => call.includeSecret);

  it("does not ask the upstream for the secret when clientSecret is not selected (the README's example)", async () => {
    const { body } = await stack.graphql(ExampleClientDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    expect(body.data!.oauthClient!.name).toBe("My OAuth App");
    expect(await includeSecretFlags()).toEqual([false]);
  });

  it("asks for the secret when clientSecret is selected directly", async () => {
    const { body } = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`);
    expect(body.data!.oauthClient.clientSecret).toMatch(/^sk_live_/);
    expect(await includeSecretFlags()).toEqual([true]);
  });

  it("asks for the secret when clientSecret is selected through a named or inline fragment", async () => {
    await stack.graphql(`
      query { a: oauthClient(id: "${EXAMPLE_CLIENT_ID}") { ...Secret } }
      fragment Secret on OAuthClient { ... on OAuthClient { clientSecret } }`);
    expect(await includeSecretFlags()).toEqual([true]);
  });

  it("honours @include(if: false) on clientSecret", async () => {
    const { body } = await stack.graphql(
      `query($with: Boolean!) { oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id clientSecret @include(if: $with) } }`,
      { variables: { with: false } },
    );
    expect(body.data!.oauthClient).toEqual({ id: EXAMPLE_CLIENT_ID });
    expect(await includeSecretFlags()).toEqual([false]);
  });
});
