import { mkdtempSync } from "node:fs";
import { connect } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { resolveConfig, upstreamEnvironment } from "../src/config/upstream-settings.js";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { startDevUpstream } from "../src/dev-upstream/server.js";
import { startFacade } from "../src/facade.js";
import { createLogger } from "../src/logger.js";
import { ClientAllFieldsDocument } from "./gen/operations.js";
import { MANAGE, READ, type Stack, startStack } from "./support/stack.js";

/**
 * The facade's own Connect unary transport in both wire formats the Connect protocol allows:
 * JSON (the default) and binary protobuf. Each must give the same OAuth client, the same null
 * for an unknown id, the upstream's refusal as the same typed error, and a regenerated secret.
 * HTTP/2 (`UPSTREAM_HTTP_VERSION=2`) goes through connect-node instead, against an h2c
 * development upstream.
 */

const FORMS: [string, Record<string, string>][] = [
  ["JSON over HTTP/1.1", {}],
  ["binary protobuf over HTTP/1.1", { UPSTREAM_WIRE_FORMAT: "binary" }],
];

let reference: unknown;
const stacks = new Map<string, Stack>();
beforeAll(async () => {
  for (const [name, env] of FORMS) stacks.set(name, await startStack(env));
  const { body } = await stacks
    .get(FORMS[0]![0])!
    .graphql(ClientAllFieldsDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
  reference = body.data;
});
afterAll(async () => {
  for (const stack of stacks.values()) await stack.close();
});

describe.each(FORMS)("the upstream link as %s", (name) => {
  it("reads every field of an OAuth client the same", async () => {
    const { body } = await stacks.get(name)!.graphql(ClientAllFieldsDocument, { variables: { id: EXAMPLE_CLIENT_ID } });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual(reference);
    expect((body.data as { oauthClient: { name: string } }).oauthClient.name).toBe("My OAuth App");
  });

  it("gives null for an unknown id (the upstream's not_found)", async () => {
    const { body } = await stacks
      .get(name)!
      .graphql(`{ oauthClient(id: "550e8400-e29b-41d4-a716-4466554499ff") { id } }`);
    expect(body).toEqual({ data: { oauthClient: null } });
  });

  it("turns the upstream's permission_denied into FORBIDDEN", async () => {
    const stack = stacks.get(name)!;
    await stack.failUpstream("permission_denied", 1);
    const { body } = await stack.graphql(`{ oauthClient(id: "${EXAMPLE_CLIENT_ID}") { id } }`);
    expect(body.errors!.map((error) => error.extensions!.code)).toEqual(["FORBIDDEN"]);
  });

  it("regenerates a secret and reads the new one back", async () => {
    const stack = stacks.get(name)!;
    const { body } = await stack.graphql(
      `mutation { regenerateClientSecret(input: { clientId: "${EXAMPLE_CLIENT_ID}" }) { client { id clientSecret } } }`,
      { token: await stack.mint([READ, MANAGE]) },
    );
    expect(body.errors).toBeUndefined();
    expect((body.data as any).regenerateClientSecret.client.clientSecret).toMatch(/^sk_live_/);
  });
});

describe("the upstream link over HTTP/2 (h2c, connect-node)", () => {
  it("reads every field of an OAuth client the same, each call over HTTP/2", async () => {
    // Same signing keys for both: the h2c upstream answers Connect, its HTTP/1.1 twin the JWKS.
    const keyFile = join(mkdtempSync(join(tmpdir(), "ocg-h2-")), "issuer-keys.json");
    const h2 = await startDevUpstream({ keyFile, http2: true });
    const twin = await startDevUpstream({ keyFile });
    const config = resolveConfig(
      loadConfig(
        {
          PORT: "0",
          LOG_LEVEL: "silent",
          ...upstreamEnvironment({ ...h2, jwksUrl: twin.jwksUrl }),
          UPSTREAM_HTTP_VERSION: "2",
        },
        "development",
      ),
    );
    const facade = await startFacade({ config, logger: createLogger("silent") });
    try {
      const token = await h2.tokens.mint({ scopes: [READ, MANAGE] });
      const response = await fetch(facade.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(ClientAllFieldsDocument), variables: { id: EXAMPLE_CLIENT_ID } }),
      });
      expect(await response.json()).toEqual({ data: reference });
      // The h2c upstream's own counters, asked over HTTP/2 as only it can be.
      const session = connect(h2.url);
      const stats = await new Promise<{ calls: Record<string, number> }>((resolve, reject) => {
        const request = session.request({ ":path": "/__dev/stats" });
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => resolve(JSON.parse(body)));
        request.on("error", reject);
      });
      session.close();
      expect(stats.calls.GetClient).toBe(1);
    } finally {
      await facade.close();
      await twin.close();
      await h2.close();
    }
  });
});
