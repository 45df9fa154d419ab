import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import type { Client } from "../gen/xeonr/auth/api/v1/clients_pb.js";

/**
 * What tests, benchmarks and a curious developer can see and steer in the development
 * upstream, over HTTP:
 *   GET  /__dev/stats        calls received per procedure, the latest requests (with the
 *                            Connect timeout each carried), the most calls in flight at once,
 *                            JWKS fetches (counted by the server, which serves the JWKS)
 *   POST /__dev/stats/reset  zeroes those counters
 *   POST /__dev/latency      {"ms": N}: every call takes at least N ms from now on
 *   POST /__dev/fail         {"code": "unavailable", "times": N, "retryAfterMs"?: N, "after"?: N}:
 *                            the next N calls (once `after` more have passed) fail with that
 *                            Connect code, with the details the real upstream would attach
 *   POST /__dev/fault        {"kind": "reset" | "malformed" | "html502" | "huge" | "bad-values",
 *                            "times": N, "after"?: N}: the next N calls (once `after` more have
 *                            passed) misbehave below Connect, as a broken network or proxy
 *                            would; "bad-values" does the call's work, then answers an OAuth
 *                            client whose delegator and logout URI are not a UUID and a URL
 */

const RECENT_CALLS_KEPT = 1_000;
const HUGE_BODY_BYTES = 64 * 1024 * 1024;
const FAULT_KINDS = ["reset", "malformed", "html502", "huge", "bad-values"] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

interface ReceivedCall {
  procedure: string;
  clientId: string;
  includeSecret: boolean;
  /** The Connect-Timeout-Ms the call carried, if any. */
  timeoutMs: number | null;
  /** The W3C trace context the call carried, if any. */
  traceparent: string | null;
  /** The x-request-id the call carried, if any. */
  requestId: string | null;
}

export interface DevUpstreamStats {
  calls: Record<string, number>;
  recent: ReceivedCall[];
  maxInFlight: number;
  jwksFetches: number;
}

/** An injected misbehaviour: `after` calls pass first, then `times` calls get it. */
interface Pending {
  times: number;
  after: number;
}

/** Whether this call gets the pending misbehaviour; counts it either way. */
function due(pending: Pending): boolean {
  if (pending.after > 0) {
    pending.after -= 1;
    return false;
  }
  if (pending.times === 0) return false;
  pending.times -= 1;
  return true;
}

const emptyStats = (): DevUpstreamStats => ({ calls: {}, recent: [], maxInFlight: 0, jwksFetches: 0 });
const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

export class DevControls {
  stats = emptyStats();
  private inFlight = 0;
  private latencyMs = 0;
  private failures: (Pending & { code: Code; retryAfterMs: number | undefined }) | undefined;
  private faults: (Pending & { kind: FaultKind }) | undefined;

  private count(procedure: string, call: Omit<ReceivedCall, "procedure">) {
    this.stats.calls[procedure] = (this.stats.calls[procedure] ?? 0) + 1;
    this.stats.recent.push({ procedure, ...call });
    if (this.stats.recent.length > RECENT_CALLS_KEPT) this.stats.recent.shift();
  }

  /** Counts each call, and applies the latency and injected failures. */
  readonly interceptor: Interceptor = (next) => async (request) => {
    const message = request.message as { clientId?: string; includeSecret?: boolean };
    const timeout = request.header.get("connect-timeout-ms");
    this.count(request.method.name, {
      clientId: message.clientId ?? "",
      includeSecret: message.includeSecret ?? false,
      timeoutMs: timeout === null ? null : Number(timeout),
      traceparent: request.header.get("traceparent"),
      requestId: request.header.get("x-request-id"),
    });
    this.inFlight += 1;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs > 0) await delay(this.latencyMs, undefined, { signal: request.signal });
      if (this.failures && due(this.failures)) {
        throw injectedError(this.failures.code, this.failures.retryAfterMs);
      }
      if (this.faults?.kind === "bad-values" && due(this.faults)) {
        const response = await next(request);
        // GetClient answers {client}; RegenerateSecret the client itself.
        const message = response.message as Partial<Client> & { client?: Client };
        const client = message.client ?? message;
        client.allowedDelegators?.push("not-a-uuid");
        client.postLogoutRedirectUris?.push("not a url");
        return response;
      }
      return await next(request);
    } finally {
      this.inFlight -= 1;
    }
  };

  /** Misbehaves below Connect when a fault is pending; true when it did. */
  misbehave(procedure: string, response: ServerResponse): boolean {
    if (!this.faults || this.faults.kind === "bad-values" || !due(this.faults)) return false;
    this.count(procedure, { clientId: "", includeSecret: false, timeoutMs: null, traceparent: null, requestId: null });
    switch (this.faults.kind) {
      case "reset":
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"Client":{"clientId":"550e8400-');
        setImmediate(() => response.socket?.destroy());
        break;
      case "malformed":
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"Client": {"clientId": 42, "name": [}');
        break;
      case "html502":
        response.writeHead(502, { "content-type": "text/html" });
        response.end(
          "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>",
        );
        break;
      case "huge":
        streamHugeBody(response);
        break;
    }
    return true;
  }

  /** Serves /__dev/*; false when the path is not one of them. */
  async route(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
      return true;
    };
    const route = `${request.method} ${path}`;
    switch (route) {
      case "GET /__dev/stats":
        return json(200, this.stats);
      case "POST /__dev/stats/reset":
        this.stats = emptyStats();
        return json(200, this.stats);
      case "POST /__dev/latency": {
        const { ms } = (await readJson(request)) as { ms?: unknown };
        if (!isCount(ms)) return json(400, { message: "ms must be a whole number >= 0" });
        this.latencyMs = ms;
        return json(200, { ms });
      }
      case "POST /__dev/fail": {
        const body = (await readJson(request)) as {
          code?: unknown;
          times?: unknown;
          retryAfterMs?: unknown;
          after?: unknown;
        };
        const code = typeof body.code === "string" ? codeFromString(body.code) : undefined;
        const { times, retryAfterMs, after = 0 } = body;
        if (
          code === undefined ||
          !isCount(times) ||
          !isCount(after) ||
          (retryAfterMs !== undefined && !isCount(retryAfterMs))
        ) {
          return json(400, {
            message: 'expected {"code": "<connect code>", "times": N, "retryAfterMs"?: N, "after"?: N}',
          });
        }
        this.failures = { code, times, after, retryAfterMs };
        return json(200, body);
      }
      case "POST /__dev/fault": {
        const body = (await readJson(request)) as { kind?: unknown; times?: unknown; after?: unknown };
        const kind = FAULT_KINDS.find((k) => k === body.kind);
        const { times, after = 0 } = body;
        if (!kind || !isCount(times) || !isCount(after))
          return json(400, { message: `expected {"kind": ${FAULT_KINDS.join("|")}, "times": N, "after"?: N}` });
        this.faults = { kind, times, after };
        return json(200, body);
      }
      default:
        return false;
    }
  }
}

function streamHugeBody(response: ServerResponse) {
  response.writeHead(200, { "content-type": "application/json" });
  response.write('{"Client":{"clientId":"550e8400-e29b-41d4-a716-446655440000","description":"');
  const chunk = "x".repeat(64 * 1024);
  let sent = 0;
  const pump = () => {
    while (sent < HUGE_BODY_BYTES) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    response.end('"}}');
  };
  response.once("close", () => (sent = HUGE_BODY_BYTES));
  pump();
}

/** invalid_argument as the real upstream words it: which field, and an ErrorInfo with internal metadata. */
export function invalidClientId(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [{ field: "client_id", description: "must be a UUID" }] } },
    {
      desc: ErrorInfoSchema,
      value: { reason: "INVALID_CLIENT_ID", domain: "auth.xeonr.io", metadata: { node: "auth-7f9c.internal" } },
    },
  ]);
}

function injectedError(code: Code, retryAfterMs: number | undefined): ConnectError {
  if (code === Code.InvalidArgument) return invalidClientId("injected failure");
  const retryDelay =
    retryAfterMs === undefined
      ? undefined
      : { seconds: BigInt(Math.floor(retryAfterMs / 1000)), nanos: (retryAfterMs % 1000) * 1e6 };
  return new ConnectError(
    "injected failure",
    code,
    undefined,
    retryDelay ? [{ desc: RetryInfoSchema, value: { retryDelay } }] : [],
  );
}

async function readJson(request: AsyncIterable<Buffer | string>): Promise<unknown> {
  let body = "";
  for await (const chunk of request) body += chunk;
  try {
    return JSON.parse(body || "{}");
  } catch {
    return {};
  }
}
