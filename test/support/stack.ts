import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { SCOPE_MANAGE, SCOPE_READ } from "../../src/auth/scopes.js";
import { loadConfig, type Mode } from "../../src/config/config.js";
import { resolveConfig, upstreamEnvironment } from "../../src/config/upstream-settings.js";
import { type DevUpstream, type DevUpstreamStats, startDevUpstream } from "../../src/dev-upstream/server.js";
import { type RunningFacade, type Shortcuts, startFacade } from "../../src/facade.js";
import { createLogger } from "../../src/logger.js";

/** The scopes, as the service names them. */
export const READ = SCOPE_READ;
export const MANAGE = SCOPE_MANAGE;

/** A GraphQL answer's body, as every test reads one. */
export interface GraphQLBody<TData = Record<string, any>> {
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  body: GraphQLBody<TData>;
}

/**
 * The development upstream and the facade, both real HTTP servers on loopback,
 * and a client that speaks to them over HTTP.
 */
export interface Stack {
  upstream: DevUpstream;
  facade: RunningFacade;
  /** A token with both scopes. */
  token: string;
  mint(scopes: string[]): Promise<string>;
  /** A string, or a typed document generated from the repo's operations (test/gen). */
  graphql<TData = Record<string, any>, TVariables = Record<string, unknown>>(
    query: string | TypedDocumentNode<TData, TVariables>,
    options?: { variables?: TVariables; token?: string | null },
  ): Promise<GraphQLResponse<TData>>;
  /** Posts an HTTP batch of operations (the stack's token unless another, or null for none). */
  batch(
    operations: { query: string; variables?: Record<string, unknown> }[],
    options?: { token?: string | null },
  ): Promise<{ status: number; body: GraphQLResponse["body"][] }>;
  /** The secret the upstream holds now for a client, read through the facade with the stack's token. */
  secretOf(clientId: string): Promise<string>;
  /** Calls the upstream directly, as a Connect JSON client would. */
  connectCall(procedure: string, body: unknown, token?: string): Promise<{ status: number; body: any }>;
  upstreamStats(): Promise<DevUpstreamStats>;
  resetUpstreamStats(): Promise<void>;
  setUpstreamLatency(ms: number): Promise<void>;
  /** The upstream's next `times` calls (once `after` more have passed) fail with this Connect code. */
  failUpstream(code: string, times: number, options?: { retryAfterMs?: number; after?: number }): Promise<void>;
  /**
   * The upstream's next `times` calls (once `after` more have passed) misbehave: below Connect
   * (reset, malformed, html502, huge), or with values the schema's scalars refuse (bad-values).
   */
  faultUpstream(kind: string, times: number, options?: { after?: number }): Promise<void>;
  /** Another facade on the same upstream with the same settings, some shortcuts off; closed with the stack. */
  startAnotherFacade(shortcuts: Partial<Shortcuts>): Promise<RunningFacade>;
  /** Takes the upstream down: connections to it are refused until `startUpstreamAgain`. */
  stopUpstream(): Promise<void>;
  /** Brings it back on the same port with the same signing keys (and a fresh store). */
  startUpstreamAgain(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Receives every log line the facade writes (JSON, one per line). */
  logLines?: string[];
  /** Whose defaults the facade gets; development (the default) also opens GraphiQL on the stack's token. */
  mode?: Mode;
}

export async function startStack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  const keyDir = mkdtempSync(join(tmpdir(), "ocg-stack-"));
  const keyFile = join(keyDir, "issuer-keys.json");
  let upstream = await startDevUpstream({ keyFile });
  let upstreamUp = true;
  const mode = options.mode ?? "development";
  const config = resolveConfig(
    loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...upstreamEnvironment(upstream), ...env }, mode),
  );
  const token = await upstream.tokens.mint({ scopes: [READ, MANAGE] });
  const destination = options.logLines && { write: (line: string) => void options.logLines!.push(line) };
  const logger = createLogger(config.logLevel, destination);
  const graphiqlToken = mode === "development" ? token : undefined;
  const facade = await startFacade({ config, logger, graphiqlToken });
  const others: RunningFacade[] = [];

  const postJson = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  return {
    get upstream() {
      return upstream;
    },
    facade,
    token,
    mint: (scopes) => upstream.tokens.mint({ scopes }),
    async graphql(query, options = {}) {
      const bearer = options.token === undefined ? token : options.token;
      return postJson(
        facade.graphqlUrl,
        { query: typeof query === "string" ? query : print(query), variables: options.variables },
        bearer === null ? {} : { authorization: `Bearer ${bearer}` },
      );
    },
    batch(operations, options = {}) {
      const bearer = options.token === undefined ? token : options.token;
      return postJson(facade.graphqlUrl, operations, bearer === null ? {} : { authorization: `Bearer ${bearer}` });
    },
    async secretOf(clientId) {
      const { body } = await postJson(
        facade.graphqlUrl,
        { query: `{ oauthClient(id: "${clientId}") { clientSecret } }` },
        { authorization: `Bearer ${token}` },
      );
      return body.data.oauthClient.clientSecret;
    },
    connectCall: (procedure, body, bearer = token) =>
      postJson(`${upstream.url}/xeonr.auth.api.v1.ClientsService/${procedure}`, body, {
        "connect-protocol-version": "1",
        authorization: `Bearer ${bearer}`,
      }),
    async upstreamStats() {
      return (await fetch(`${upstream.url}/__dev/stats`)).json() as Promise<DevUpstreamStats>;
    },
    async resetUpstreamStats() {
      await fetch(`${upstream.url}/__dev/stats/reset`, { method: "POST" });
    },
    async setUpstreamLatency(ms) {
      await postJson(`${upstream.url}/__dev/latency`, { ms });
    },
    async failUpstream(code, times, options = {}) {
      const { status } = await postJson(`${upstream.url}/__dev/fail`, { code, times, ...options });
      if (status !== 200) throw new Error(`the development upstream refused to fail with ${code}`);
    },
    async faultUpstream(kind, times, options = {}) {
      const { status } = await postJson(`${upstream.url}/__dev/fault`, { kind, times, ...options });
      if (status !== 200) throw new Error(`the development upstream refused the fault ${kind}`);
    },
    async startAnotherFacade(shortcuts) {
      const other = await startFacade({ config, logger, graphiqlToken, shortcuts });
      others.push(other);
      return other;
    },
    async stopUpstream() {
      await upstream.close();
      upstreamUp = false;
    },
    async startUpstreamAgain() {
      upstream = await startDevUpstream({ keyFile, port: Number(new URL(upstream.url).port) });
      upstreamUp = true;
    },
    async close() {
      await Promise.all([facade, ...others].map((running) => running.close()));
      if (upstreamUp) await upstream.close();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
