import { createPublicKey } from "node:crypto";
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";

const READ_CLIENT = `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name } }`;
const REGENERATE = `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { clientSecret } } }`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.resetUpstreamStats());

/** A token that is right in every way but one key: signed with a fresh ES256 key. */
async function signWithStrangerKey(kid: string) {
  const { privateKey } = await generateKeyPair("ES256");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: `${READ} ${MANAGE}` })
    .setProtectedHeader({ alg: "ES256", kid })
    .setIssuer(stack.upstream.issuer)
    .setAudience(stack.upstream.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(privateKey);
}

const claims = () => {
  const now = Math.floor(Date.now() / 1000);
  return {
    scope: `${READ} ${MANAGE}`,
    iss: stack.upstream.issuer,
    aud: stack.upstream.audience,
    iat: now,
    exp: now + 600,
  };
};

describe("tokens the facade refuses with UNAUTHENTICATED, before any upstream call", () => {
  const cases: [string, () => Promise<string | null>, string][] = [
    ["no Authorization header", async () => null, "missing_token"],
    ["garbage", async () => "garbage", "malformed_token"],
    [
      "a forged signature (known kid, stranger's key)",
      async () => signWithStrangerKey(decodeProtectedHeader(stack.token).kid!),
      "bad_signature",
    ],
    ["an unknown kid", async () => signWithStrangerKey("no-such-key"), "unknown_key"],
    ["an expired token", () => stack.upstream.tokens.mint({ scopes: [READ], expiresInSeconds: -60 }), "expired"],
    [
      "a token not yet valid",
      () => stack.upstream.tokens.mint({ scopes: [READ], notBeforeInSeconds: 600 }),
      "not_yet_valid",
    ],
    [
      "a wrong issuer",
      () => stack.upstream.tokens.mint({ scopes: [READ], issuer: "urn:someone-else" }),
      "wrong_issuer",
    ],
    [
      "a wrong audience",
      () => stack.upstream.tokens.mint({ scopes: [READ], audience: "urn:another-api" }),
      "wrong_audience",
    ],
    [
      "a token issued a year in the future",
      () => stack.upstream.tokens.mint({ scopes: [READ], issuedAtInSeconds: 365 * 24 * 3600 }),
      "issued_in_future",
    ],
    [
      "a token with a critical header extension nobody implements",
      () => stack.upstream.tokens.mint({ scopes: [READ], criticalHeader: "urn:example:must-understand" }),
      "unsupported_critical_header",
    ],
    [
      "alg: none",
      async () =>
        `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url.encode(JSON.stringify(claims()))}.`,
      "algorithm_not_allowed",
    ],
    [
      "HS256 signed with the issuer's public key as the HMAC secret",
      async () => {
        const jwks = await (await fetch(stack.upstream.jwksUrl)).json();
        const pem = createPublicKey({ key: jwks.keys[0], format: "jwk" }).export({ type: "spki", format: "pem" });
        return new SignJWT(claims())
          .setProtectedHeader({ alg: "HS256", kid: jwks.keys[0].kid })
          .sign(new TextEncoder().encode(String(pem)));
      },
      "algorithm_not_allowed",
    ],
  ];

  it.each(cases)("%s", async (_name, makeToken, reason) => {
    const token = await makeToken();
    const { body } = await stack.graphql(READ_CLIENT, { token });
    expect(body.data).toEqual({ oauthClient: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toEqual({ code: "UNAUTHENTICATED", reason });
    expect(body.errors![0]!.message).toMatch(/^Authentication required\./);
    if (token) expect(JSON.stringify(body)).not.toContain(token);
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("reads the Bearer scheme case-insensitively (RFC 7235)", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const response = await fetch(stack.facade.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `${scheme} ${stack.token}` },
        body: JSON.stringify({ query: READ_CLIENT }),
      });
      expect((await response.json()).data.oauthClient.name).toBe("My OAuth App");
    }
  });

  it("refuses a token older than AUTH_MAX_TOKEN_AGE_S, even one it verified before", async () => {
    const strict = await startStack({ AUTH_MAX_TOKEN_AGE_S: "60" });
    try {
      const fresh = await strict.mint([READ]);
      expect((await strict.graphql(READ_CLIENT, { token: fresh })).body.data).toEqual({
        oauthClient: { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" },
      });
      const old = await strict.upstream.tokens.mint({ scopes: [READ], issuedAtInSeconds: -120 });
      const { body } = await strict.graphql(READ_CLIENT, { token: old });
      expect(body.errors![0]!.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "too_old" });
    } finally {
      await strict.close();
    }
  });

  it("refuses a malformed Authorization scheme", async () => {
    const response = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${btoa("user:pass")}` },
      body: JSON.stringify({ query: READ_CLIENT }),
    });
    const body = await response.json();
    expect(body.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED", reason: "malformed_token" });
  });
});

describe("scopes mapped to fields", () => {
  it("gives a read-only token every field but clientSecret, which is null with FORBIDDEN naming the scope", async () => {
    const readOnly = await stack.mint([READ]);
    const { body } = await stack.graphql(
      `{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id name isVerified clientSecret applicationBindings { applicationId } } }`,
      { token: readOnly },
    );
    expect(body.data!.oauthClient).toEqual({
      id: EXAMPLE_CLIENT_ID,
      name: "My OAuth App",
      isVerified: true,
      clientSecret: null,
      applicationBindings: [{ applicationId: "app_prod_myapp" }],
    });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ["oauthClient", "clientSecret"],
        extensions: { code: "FORBIDDEN", requiredScope: MANAGE },
      }),
    ]);
    // The secret it may not see was never asked of the upstream.
    expect((await stack.upstreamStats()).recent.map((call) => call.includeSecret)).toEqual([false]);
  });

  it("refuses the mutation to a read-only token with FORBIDDEN before it runs, and the upstream sees no call", async () => {
    const { body } = await stack.graphql(REGENERATE, { token: await stack.mint([READ]) });
    expect(body.data).toBeUndefined();
    expect(body.errors![0]!.extensions).toEqual({ code: "FORBIDDEN", requiredScope: MANAGE });
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("lets a manage token regenerate and read the new secret", async () => {
    const manager = await stack.mint([READ, MANAGE]);
    const { body } = await stack.graphql(REGENERATE, { token: manager });
    expect(body.errors).toBeUndefined();
    const secret = body.data!.regenerateClientSecret.client.clientSecret;
    const read = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { clientSecret } }`, {
      token: manager,
    });
    expect(read.body.data!.oauthClient.clientSecret).toBe(secret);
  });

  it("refuses oauthClient to a token without the read scope", async () => {
    const { body } = await stack.graphql(READ_CLIENT, { token: await stack.mint(["profile"]) });
    expect(body.errors![0]!.extensions).toEqual({ code: "FORBIDDEN", requiredScope: READ });
    expect((await stack.upstreamStats()).calls).toEqual({});
  });

  it("reads scopes from an scp array claim too", async () => {
    const token = await stack.upstream.tokens.mint({ scopes: [READ], scopeClaim: "scp" });
    const { body } = await stack.graphql(READ_CLIENT, { token });
    expect(body).toEqual({ data: { oauthClient: { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" } } });
  });

  it("leaves introspection open without a token", async () => {
    const { body } = await stack.graphql(`{ __schema { queryType { name } } }`, { token: null });
    expect(body).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });
});

describe("signing keys", () => {
  it("picks up a key newly published in the JWKS without a restart", async () => {
    // No cooldown: the unknown kid of the first token of the new key refetches at once.
    const rotating = await startStack({ AUTH_JWKS_COOLDOWN_MS: "0" });
    try {
      const before = await rotating.graphql(READ_CLIENT);
      expect(before.body.errors).toBeUndefined();
      const newKid = await rotating.upstream.tokens.rotate();
      const token = await rotating.mint([READ]);
      expect(decodeProtectedHeader(token).kid).toBe(newKid);
      const after = await rotating.graphql(READ_CLIENT, { token });
      expect(after.body).toEqual({ data: { oauthClient: { id: EXAMPLE_CLIENT_ID, name: "My OAuth App" } } });
    } finally {
      await rotating.close();
    }
  });

  it("does not let a flood of unknown kids hammer the issuer: one JWKS fetch per cooldown", async () => {
    const flooded = await startStack({ AUTH_JWKS_COOLDOWN_MS: "60000" });
    try {
      await flooded.graphql(READ_CLIENT);
      const tokens = await Promise.all(Array.from({ length: 25 }, (_, i) => signWithStrangerKey(`made-up-${i}`)));
      const answers = await Promise.all(tokens.map((token) => flooded.graphql(READ_CLIENT, { token })));
      for (const { body } of answers) expect(body.errors![0]!.extensions!.reason).toBe("unknown_key");
      expect((await flooded.upstreamStats()).jwksFetches).toBe(1);
    } finally {
      await flooded.close();
    }
  });
});

describe("verified-token cache", () => {
  it("never serves a cached token past its expiry", async () => {
    const strict = await startStack({ AUTH_CLOCK_TOLERANCE_S: "0", AUTH_TOKEN_CACHE_SIZE: "100" });
    try {
      // `exp` counts whole seconds from a floored `iat`: 2 s leaves between 1 and 2 s of life
      // (with 1 s, a token minted late in a second lived a few ms and was served only once).
      const shortLived = await strict.upstream.tokens.mint({ scopes: [READ], expiresInSeconds: 2 });
      const expiresAt = decodeJwt(shortLived).exp! * 1000;
      // Asked again and again until refused: every answer that started after `exp` must be a refusal.
      const servedLate: number[] = [];
      let refusal: Record<string, unknown> | undefined;
      let served = 0;
      while (!refusal) {
        const startedAt = Date.now();
        const { body } = await strict.graphql(READ_CLIENT, { token: shortLived });
        if (body.errors) refusal = body.errors[0]!.extensions;
        // A few ms of slack: the cache's clock ticks at its own resolution.
        else if (startedAt > expiresAt + 50) servedLate.push(startedAt - expiresAt);
        else served += 1;
        expect(Date.now()).toBeLessThan(expiresAt + 10_000);
      }
      expect(served).toBeGreaterThan(1);
      expect(servedLate).toEqual([]);
      expect(refusal).toEqual({ code: "UNAUTHENTICATED", reason: "expired" });
    } finally {
      await strict.close();
    }
  });
});

describe("introspection switched off", () => {
  it("refuses __schema when INTROSPECTION=false, and still serves queries", async () => {
    const closed = await startStack({ INTROSPECTION: "false" });
    try {
      const { body } = await closed.graphql(`{ __schema { queryType { name } } }`);
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
      expect((await closed.graphql(READ_CLIENT)).body.errors).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});
