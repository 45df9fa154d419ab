import * as http from "node:http";
import * as https from "node:https";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { UpstreamConfig } from "../config.js";
import { type Client, ClientsService } from "./gen/xeonr/auth/api/v1/clients_pb.js";

/**
 * The only module that speaks Connect: the facade's view of the upstream
 * ClientsService. Callers get plain protobuf messages or an UpstreamError.
 */

export type { ApplicationBinding, Client } from "./gen/xeonr/auth/api/v1/clients_pb.js";

/** Connect error codes as they appear on the wire ("not_found", "unavailable", …). */
export type UpstreamCode = ReturnType<typeof codeToString>;

export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamCode,
    message: string,
    readonly procedure: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

export interface CallOptions {
  /** The caller's `Authorization` header, forwarded as is: the upstream is the final authority. */
  authorization?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface ClientsUpstream {
  getClient(clientId: string, includeSecret: boolean, options: CallOptions): Promise<Client>;
  /** Not idempotent: the old secret is invalid the moment this succeeds. Never retry it. */
  regenerateSecret(clientId: string, options: CallOptions): Promise<Client>;
  /** Whether the upstream answers at all (any Connect answer, even a refusal, counts). */
  isReachable(): Promise<boolean>;
  close(): void;
}

/** Told of every call: its procedure, its Connect code ("ok" on success) and its duration. */
export type CallObserver = (procedure: string, code: string, seconds: number) => void;

const PROBE_TIMEOUT_MS = 2_000;

export function createClientsUpstream(config: UpstreamConfig & { url: string }, observe?: CallObserver): ClientsUpstream {
  const agentOptions = { keepAlive: true, maxSockets: 256 };
  const agent = config.httpVersion === "2" ? undefined : config.url.startsWith("https:")
    ? new https.Agent(agentOptions)
    : new http.Agent(agentOptions);
  const transport = createConnectTransport({
    baseUrl: config.url,
    useBinaryFormat: config.wireFormat === "binary",
    // The upstream may add fields; reading them must not fail.
    jsonOptions: { ignoreUnknownFields: true },
    ...(agent ? { httpVersion: "1.1" as const, nodeOptions: { agent } } : { httpVersion: "2" as const }),
  });
  const client = createClient(ClientsService, transport);

  async function call<T>(
    procedure: string,
    options: CallOptions & { timeoutMs?: number },
    run: (callOptions: object) => Promise<T>,
  ) {
    const started = process.hrtime.bigint();
    let code = "ok";
    try {
      return await run({
        timeoutMs: options.timeoutMs ?? config.timeoutMs,
        signal: options.signal,
        headers: options.authorization ? { authorization: options.authorization } : {},
      });
    } catch (error) {
      const upstreamError = toUpstreamError(error, procedure);
      code = upstreamError.code;
      throw upstreamError;
    } finally {
      observe?.(procedure, code, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  return {
    async getClient(clientId, includeSecret, options) {
      const response = await call("GetClient", options, (callOptions) =>
        client.getClient({ clientId, includeSecret }, callOptions),
      );
      if (!response.client) {
        throw new UpstreamError("internal", "GetClient answered without a client", "GetClient");
      }
      return response.client;
    },
    regenerateSecret(clientId, options) {
      return call("RegenerateSecret", options, (callOptions) =>
        client.regenerateSecret({ clientId, includeSecret: true }, callOptions),
      );
    },
    async isReachable() {
      try {
        // Unauthenticated on purpose: a refusal proves the upstream is there, and costs it nothing.
        await call("GetClient", { timeoutMs: PROBE_TIMEOUT_MS }, (callOptions) =>
          client.getClient({ clientId: "", includeSecret: false }, callOptions),
        );
        return true;
      } catch (error) {
        const code = (error as UpstreamError).code;
        return code !== "unavailable" && code !== "deadline_exceeded";
      }
    },
    close() {
      agent?.destroy();
    },
  };
}

function toUpstreamError(error: unknown, procedure: string): UpstreamError {
  const connectError = ConnectError.from(error, Code.Internal);
  return new UpstreamError(codeToString(connectError.code), connectError.rawMessage, procedure);
}
