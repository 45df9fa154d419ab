import { getNamedType, getOperationAST, isObjectType, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningFacade } from "../src/facade.js";
import { operationShape } from "../src/graphql/analysis/document-shape.js";
import { allowsEverything } from "../src/permissions/verdict.js";
import { schema } from "../src/schema/schema.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";

/**
 * The permission verdict lets an operation the caller may resolve whole skip shield's
 * per-field wrappers. These tests send the same corpus (every field, every scope set,
 * fragments, aliases, `_entities`, rotations, resolver and upstream errors) to a facade with
 * the shortcut and to one without it (shield wraps every field), on one upstream, and compare
 * the answers byte for byte; and they check the verdict allows exactly what shield allows.
 */

const CLIENT = "550e8400-e29b-41d4-a716-446655440000";
const MISSING = "00000000-0000-4000-8000-00000000ffff";

const clientType = schema.getType("OAuthClient");
if (!isObjectType(clientType)) throw new Error("OAuthClient is not an object type");
/** Each field of OAuthClient as a selection, with a selection of its own where it is an object. */
const clientFields = Object.values(clientType.getFields()).map((field) => {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return field.name;
  const inner = Object.values(type.getFields()).map((f) =>
    isObjectType(getNamedType(f.type)) ? `${f.name} { __typename }` : f.name,
  );
  return `${field.name} { ${inner.join(" ")} }`;
});

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Arms an upstream fault for the next `times` calls (0 disarms it, when the send made no call). */
  fault?: (stack: Stack, times: number) => Promise<void>;
}

const reads: Case[] = [
  ...clientFields.map((selection) => ({
    name: `oauthClient { ${selection} }`,
    query: `query One($id: ID!) { oauthClient(id: $id) { ${selection} } }`,
    variables: { id: CLIENT },
  })),
  {
    name: "every field but the secret, aliased twice, through a named fragment",
    query: `query Aliased($id: ID!) { a: oauthClient(id: $id) { ...Fields } b: oauthClient(id: $id) { id ...Fields } }
      fragment Fields on OAuthClient { ${clientFields.filter((f) => f !== "clientSecret").join(" ")} }`,
    variables: { id: CLIENT },
  },
  {
    name: "the secret behind an inline fragment and an alias",
    query: `query Inline($id: ID!) { c: oauthClient(id: $id) { id ... on OAuthClient { s: clientSecret } } }`,
    variables: { id: CLIENT },
  },
  {
    name: "the secret under @skip(if: true)",
    query: `query Skipped($id: ID!) { oauthClient(id: $id) { id clientSecret @skip(if: true) } }`,
    variables: { id: CLIENT },
  },
  {
    name: "_entities with a fragment on the entity",
    query: `query Entities($r: [_Any!]!) { _entities(representations: $r) { __typename ... on OAuthClient { id name } } }`,
    variables: {
      r: [
        { __typename: "OAuthClient", id: CLIENT },
        { __typename: "OAuthClient", id: MISSING },
      ],
    },
  },
  {
    name: "_entities selecting the secret",
    query: `query EntitySecret($r: [_Any!]!) { _entities(representations: $r) { ... on OAuthClient { clientSecret } } }`,
    variables: { r: [{ __typename: "OAuthClient", id: CLIENT }] },
  },
  { name: "_service", query: "{ _service { sdl } }" },
  { name: "__typename alone", query: "{ __typename }" },
  {
    name: "no such OAuth client",
    query: `query Missing($id: ID!) { oauthClient(id: $id) { id name } }`,
    variables: { id: MISSING },
  },
  {
    name: "a malformed id (the resolver's own typed error)",
    query: `query Malformed($id: ID!) { oauthClient(id: $id) { id } }`,
    variables: { id: "not-a-uuid" },
  },
  {
    name: "the upstream refusing the call",
    query: `query Refused($id: ID!) { oauthClient(id: $id) { id name } }`,
    variables: { id: CLIENT },
    fault: (stack, times) => stack.failUpstream("permission_denied", times),
  },
  {
    name: "values the schema's scalars refuse",
    query: `query BadValues($id: ID!) { oauthClient(id: $id) { id allowedDelegators postLogoutRedirectUris } }`,
    variables: { id: CLIENT },
    fault: (stack, times) => stack.faultUpstream("bad-values", times),
  },
];

const rotations: Case[] = [
  {
    name: "a rotation selecting its new secret",
    query: `mutation Rotate($input: RegenerateClientSecretInput!) { regenerateClientSecret(input: $input) { client { id clientSecret name } } }`,
    variables: { input: { clientId: CLIENT } },
  },
  {
    name: "a rotation of a missing client",
    query: `mutation RotateMissing($input: RegenerateClientSecretInput!) { r: regenerateClientSecret(input: $input) { client { clientSecret } } }`,
    variables: { input: { clientId: MISSING } },
  },
];

/** Scope sets by name: every subset of the table's scopes, one it does not know, none, and no token. */
const SCOPE_SETS: Record<string, string[] | null> = {
  "no token": null,
  "no scopes": [],
  "an unknown scope": ["profile"],
  read: [READ],
  manage: [MANAGE],
  "read and manage": [READ, MANAGE],
};

/** A rotation answers a new secret each time: equal answers have a secret in the same places. */
const withoutSecrets = (body: string) => body.replace(/"(clientSecret|s)":"[^"]+"/g, '"$1":"<secret>"');

describe("permission verdicts: shield's wrappers skipped only where they would allow everything", () => {
  let stack: Stack;
  let unshortened: RunningFacade;
  const tokens = new Map<string, string | null>();

  beforeAll(async () => {
    stack = await startStack();
    unshortened = await stack.startAnotherFacade({ permissionVerdicts: false });
    for (const [name, scopes] of Object.entries(SCOPE_SETS)) {
      tokens.set(name, scopes === null ? null : await stack.mint(scopes));
    }
  });
  afterAll(() => stack?.close());

  const send = async (url: string, testCase: Case, token: string | null) => {
    await testCase.fault?.(stack, 1);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: testCase.query, variables: testCase.variables }),
    });
    const body = withoutSecrets(await response.text());
    await testCase.fault?.(stack, 0);
    return { status: response.status, body };
  };

  for (const [scopeSet] of Object.entries(SCOPE_SETS)) {
    it(`answers every case exactly as shield on every field does, for a caller with ${scopeSet}`, async () => {
      const token = tokens.get(scopeSet)!;
      for (const testCase of [...reads, ...rotations]) {
        // Three times each: graphql-js runs an operation first, graphql-jit from its second use,
        // and a document answers alike however it runs.
        let firstUse: { status: number; body: string } | undefined;
        for (let use = 1; use <= 3; use += 1) {
          const reference = await send(unshortened.graphqlUrl, testCase, token);
          const shortened = await send(stack.facade.graphqlUrl, testCase, token);
          expect(shortened, `${testCase.name}, use ${use}`).toEqual(reference);
          firstUse ??= reference;
          expect(reference, `${testCase.name}, use ${use} beside its first`).toEqual(firstUse);
        }
      }
    });
  }

  it("allows exactly the operations shield answers without a refusal, so the shortcut is taken wherever it can be", async () => {
    const refusals = new Set(["UNAUTHENTICATED", "FORBIDDEN"]);
    let permitted = 0;
    for (const [scopeSet, scopes] of Object.entries(SCOPE_SETS)) {
      const token = tokens.get(scopeSet)!;
      const auth =
        scopes === null
          ? ({ authenticated: false, reason: "missing_token" } as const)
          : { authenticated: true as const, subject: undefined, scopes: new Set(scopes), authorization: "" };
      for (const testCase of reads.filter((c) => !c.fault && !c.name.includes("@skip"))) {
        const document = parse(testCase.query);
        const operation = getOperationAST(document)!;
        const verdict = allowsEverything(auth, operationShape(schema, document, operation).reachable);
        const { body } = await send(unshortened.graphqlUrl, testCase, token);
        const codes: string[] = (JSON.parse(body).errors ?? []).map(
          (e: { extensions?: { code?: string } }) => e.extensions?.code,
        );
        expect(verdict, `${testCase.name} for ${scopeSet}: ${codes.join(", ")}`).toBe(
          !codes.some((c) => refusals.has(c)),
        );
        if (verdict) permitted += 1;
      }
    }
    expect(permitted).toBeGreaterThan(0);
  });
});
