import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import Pool from "undici/lib/dispatcher/pool.js";
import type { UpstreamConfig } from "../config/config.js";
import { ClientsService, type Client as OAuthClient } from "../gen/xeonr/auth/api/v1/clients_pb.js";
import { createUnaryTransport } from "./unary-transport.js";
import { rotationMayHaveHappened, toUpstreamError, UpstreamError } from "./upstream-error.js";

/**
 * The only module that speaks Connect: the facade's view of the upstream
 * ClientsService. It hands out OAuth clients as plain protobuf messages, or an UpstreamError.
 */

export type { ApplicationBinding, Client as OAuthClient } from "../gen/xeonr/auth/api/v1/clients_pb.js";

export interface CallOptions {
  /** The caller's `Authorization` header, forwarded as is: the upstream is the final authority. */
  authorization?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The HTTP request's id, sent as `x-request-id` so that the upstream's logs can name it. */
  requestId?: string | undefined;
  /** Epoch milliseconds by which the GraphQL request must be answered; calls get what is left. */
  deadline?: number | undefined;
  /** Called before every attempt, retries included; throws to stop the call (the caller's budget is spent). */
  beforeAttempt?: (() => void) | undefined;
}

export interface Upstream {
  /** Retried on `unavailable`, with jittered backoff, while the deadline allows. */
  getClient(clientId: string, includeSecret: boolean, options: CallOptions): Promise<OAuthClient>;
  /**
   * Not idempotent: the old secret is invalid the moment this succeeds. Never retried; the
   * upstream is told a deadline shorter than this side's wait, and a call whose outcome cannot
   * be known fails with `outcomeUnknown`.
   */
  regenerateSecret(clientId: string, options: CallOptions): Promise<OAuthClient>;
  close(): void;
}

/**
 * The upstream's procedures, and how each is called: a `read` is idempotent, retried when it
 * meets `unavailable` and charged to the request's ledger per attempt; a `write` is never
 * retried, and its call is reserved when its operation is admitted (src/schema/rotations.ts),
 * so that no bound stops it once begun. Adding a procedure starts here (docs/architecture.md);
 * test/recipes.test.ts fails while one of proto/ is missing.
 */
export const PROCEDURES = {
  GetClient: "read",
  RegenerateSecret: "write",
} as const satisfies Record<string, "read" | "write">;

type Procedure = keyof typeof PROCEDURES;

/** Told of every call: its procedure, its Connect code ("ok" on success) and its duration. */
export type CallObserver = (procedure: string, code: string, seconds: number) => void;

const RETRY_BASE_MS = 25;
const RETRY_CAP_MS = 500;
/** gRPC's retry throttling: each failure spends a token, each success earns a tenth; retries stop below half. */
const RETRY_TOKENS = 10;
const RETRY_TOKENS_PER_SUCCESS = 0.1;

/**
 * How much sooner than this side's wait the upstream is told to give up on a rotation, so that
 * its answer (done, or deadline exceeded and not done) arrives while this side still waits.
 */
function rotationMarginMs(waitMs: number): number {
  return Math.min(1_000, Math.max(100, Math.round(waitMs / 5)));
}

/** The transport to the upstream: Connect over an undici pool (HTTP/1.1), or connect-node's HTTP/2. */
function createTransport(config: UpstreamConfig & { url: string }, interceptors: Interceptor[]) {
  const binary = config.wireFormat === "binary";
  // As many connections as calls may be in flight (the scheduler's bound): the pool never queues.
  const pool = config.httpVersion === "2" ? undefined : new Pool(config.url, { connections: config.maxInFlight });
  const transport = pool
    ? createUnaryTransport({
        baseUrl: config.url,
        binary,
        readMaxBytes: config.maxResponseBytes,
        interceptors,
        dispatcher: pool,
      })
    : // HTTP/2 (h2c) goes through connect-node, which multiplexes calls over one session.
      createConnectTransport({
        baseUrl: config.url,
        httpVersion: "2",
        useBinaryFormat: binary,
        // The upstream may add fields; reading them must not fail.
        jsonOptions: { ignoreUnknownFields: true },
        readMaxBytes: config.maxResponseBytes,
        // Compressing messages this small costs both sides more CPU than it saves bytes
        // (bench/README.md: it took about a tenth of the facade's CPU).
        acceptCompression: [],
        interceptors,
      });
  return { transport, close: () => void pool?.destroy() };
}

/**
 * One upstream call: within the request's deadline and the call timeout, with the caller's
 * token and request id, observed (procedure, code, duration), its failure an UpstreamError.
 */
function createCall(config: UpstreamConfig, observe: CallObserver | undefined) {
  return async function call<T>(
    procedure: Procedure,
    options: CallOptions & { timeoutMs?: number },
    run: (callOptions: object) => Promise<T>,
  ): Promise<T> {
    const remainingMs = options.deadline === undefined ? Infinity : options.deadline - Date.now();
    if (remainingMs <= 0)
      throw new UpstreamError("deadline_exceeded", "request budget spent before the call", procedure);
    options.beforeAttempt?.();
    const started = process.hrtime.bigint();
    let code = "ok";
    try {
      return await run({
        timeoutMs: Math.max(1, Math.min(options.timeoutMs ?? config.callTimeoutMs, remainingMs)),
        signal: options.signal,
        headers: {
          ...(options.authorization ? { authorization: options.authorization } : {}),
          ...(options.requestId ? { "x-request-id": options.requestId } : {}),
        },
      });
    } catch (error) {
      const upstreamError = toUpstreamError(error, procedure);
      code = upstreamError.code;
      throw upstreamError;
    } finally {
      observe?.(procedure, code, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

/**
 * Retries of idempotent calls that met `unavailable`: full-jitter exponential backoff, never
 * past the deadline, and only while most calls succeed (the throttle is the process's).
 */
function createRetries(config: UpstreamConfig) {
  let retryTokens = RETRY_TOKENS;
  return async function withRetries<T>(
    procedure: Procedure,
    options: CallOptions,
    attempt: () => Promise<T>,
  ): Promise<T> {
    if (PROCEDURES[procedure] !== "read") return attempt();
    for (let retry = 0; ; retry++) {
      try {
        const result = await attempt();
        retryTokens = Math.min(RETRY_TOKENS, retryTokens + RETRY_TOKENS_PER_SUCCESS);
        return result;
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.code !== "unavailable") throw error;
        retryTokens = Math.max(0, retryTokens - 1);
        if (retry >= config.retries || retryTokens <= RETRY_TOKENS / 2) throw error;
        const delayMs = Math.random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** retry);
        if (options.deadline !== undefined && Date.now() + delayMs >= options.deadline) throw error;
        await sleep(delayMs, undefined, { signal: options.signal });
      }
    }
  };
}

export function createUpstream(
  config: UpstreamConfig & { url: string },
  observe?: CallObserver,
  /** Cross-cutting work on every call (tracing), in connect-es's own way. */
  interceptors: Interceptor[] = [],
): Upstream {
  const { transport, close } = createTransport(config, interceptors);
  const clientsService = createClient(ClientsService, transport);
  const call = createCall(config, observe);
  const withRetries = createRetries(config);

  return {
    async getClient(clientId, includeSecret, options) {
      const response = await withRetries("GetClient", options, () =>
        call("GetClient", options, (callOptions) => clientsService.getClient({ clientId, includeSecret }, callOptions)),
      );
      if (!response.client) {
        throw new UpstreamError("internal", "GetClient answered without an OAuth client", "GetClient", {}, "upstream");
      }
      return response.client;
    },
    async regenerateSecret(clientId, options) {
      const procedure: Procedure = "RegenerateSecret";
      const remainingMs = options.deadline === undefined ? Infinity : options.deadline - Date.now();
      const waitMs = Math.min(config.callTimeoutMs, remainingMs);
      const toldMs = waitMs - rotationMarginMs(waitMs);
      if (toldMs <= 0) throw new UpstreamError("deadline_exceeded", "request budget spent before the call", procedure);
      // No `timeoutMs`: it would start a timer of the told length on this side too. The upstream
      // reads the told deadline from the header; this side waits longer, through the signal.
      const wait = AbortSignal.timeout(waitMs);
      const rotate = (callOptions: { headers?: object }) =>
        clientsService.regenerateSecret(
          { clientId, includeSecret: true },
          {
            ...callOptions,
            timeoutMs: undefined,
            signal: options.signal ? AbortSignal.any([options.signal, wait]) : wait,
            headers: { ...callOptions.headers, "connect-timeout-ms": String(toldMs) },
          },
        );
      try {
        return await call(procedure, { ...options, deadline: undefined }, rotate);
      } catch (error) {
        if (error instanceof UpstreamError && rotationMayHaveHappened(error)) {
          throw new UpstreamError(error.code, error.message, procedure, error.details, error.origin, true);
        }
        throw error;
      }
    },
    close,
  };
}
