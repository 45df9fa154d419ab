import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { READ, type Stack, startStack } from "./support/stack.js";

/** The development upstream speaks the reference pages' JSON, field for field. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const CLIENT_KEYS = [
  "clientId",
  "clientSecret",
  "name",
  "redirectUri",
  "supportsRefreshToken",
  "supportsImplicitGrant",
  "supportsDeviceCodeGrant",
  "supportsCodeGrant",
  "websiteUrl",
  "createdAt",
  "updatedAt",
  "description",
  "isVerified",
  "applicationId",
  "usesManagedBuckets",
  "applicationBindings",
  "allowedDelegators",
  "logoUrl",
  "backchannelLogoutUri",
  "backchannelLogoutSessionRequired",
  "frontchannelLogoutUri",
  "frontchannelLogoutSessionRequired",
  "postLogoutRedirectUris",
];

describe("development upstream wire format", () => {
  it("wraps GetClient's client under the capitalised key Client, with every field of the pages", async () => {
    const { status, body } = await stack.connectCall("GetClient", { clientId: EXAMPLE_CLIENT_ID, includeSecret: true });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(["Client"]);
    expect(Object.keys(body.Client).sort()).toEqual([...CLIENT_KEYS].sort());
    expect(body.Client.createdAt).toBe("2023-01-15T01:30:15.010Z");
  });

  it("answers RegenerateSecret with the client's fields at the top level", async () => {
    const { body } = await stack.connectCall("RegenerateSecret", { clientId: EXAMPLE_CLIENT_ID });
    expect(Object.keys(body).sort()).toEqual([...CLIENT_KEYS].sort());
  });

  it("rejects unknown request keys, malformed ids, missing tokens and missing scopes with Connect errors", async () => {
    const cases = [
      [await stack.connectCall("GetClient", { clientId: EXAMPLE_CLIENT_ID, extra: true }), 400, "invalid_argument"],
      [await stack.connectCall("GetClient", { clientId: "nope" }), 400, "invalid_argument"],
      [await stack.connectCall("GetClient", { clientId: "550e8400-e29b-41d4-a716-000000000000" }), 404, "not_found"],
      [await stack.connectCall("GetClient", { clientId: EXAMPLE_CLIENT_ID }, "garbage"), 401, "unauthenticated"],
      [
        await stack.connectCall("RegenerateSecret", { clientId: EXAMPLE_CLIENT_ID }, await stack.mint([READ])),
        403,
        "permission_denied",
      ],
    ] as const;
    for (const [response, status, code] of cases) {
      expect(response.status).toBe(status);
      expect(response.body.code).toBe(code);
    }
  });

  it("leaves the secret out unless includeSecret is true", async () => {
    const { body } = await stack.connectCall("GetClient", { clientId: EXAMPLE_CLIENT_ID });
    expect(body.Client.clientSecret).toBe("");
  });

  it("publishes its signing keys as a JWKS", async () => {
    const jwks = await (await fetch(stack.upstream.jwksUrl)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(jwks.keys[0].d).toBeUndefined();
  });
});
