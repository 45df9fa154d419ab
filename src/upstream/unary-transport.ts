import {
  create,
  type DescMessage,
  type DescMethodUnary,
  fromBinary,
  fromJson,
  type MessageInitShape,
  type MessageShape,
  toBinary,
  toJsonString,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type Interceptor,
  type Transport,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { codeFromHttpStatus, errorFromJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { Dispatcher } from "undici";
import { createPost, type RawAnswer } from "./undici-post.js";

/**
 * The Connect protocol's unary calls over an undici dispatcher (a keep-alive pool): a
 * connect-es `Transport`, so the generated client, interceptors and ConnectError work as with
 * connect-node's, without what a unary call here does not need (the Fetch-like universal
 * client, an AbortController and a deadline signal per call, compression negotiation,
 * streaming envelopes), which took about a quarter of the facade's CPU (bench/README.md).
 * A Connect unary call is one POST of one message; its answer is one message, or a Connect
 * error as JSON with a non-200 status.
 */

export interface UnaryTransportOptions {
  baseUrl: string;
  binary: boolean;
  /** An answer larger than this is refused unread: a fault, not data to buffer. */
  readMaxBytes: number;
  interceptors: Interceptor[];
  /** Bound to the upstream's origin. */
  dispatcher: Dispatcher;
}

/** Request headers as undici takes them, names in lower case. */
function headerRecord(init: HeadersInit | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (init === undefined) return record;
  if (init instanceof Headers || Array.isArray(init)) {
    new Headers(init).forEach((value, name) => {
      record[name] = value;
    });
    return record;
  }
  for (const name in init) record[name.toLowerCase()] = init[name]!;
  return record;
}

function headersOf(headers: RawAnswer["headers"]): Headers {
  const header = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const item of value) header.append(name, item);
    else if (value !== undefined) header.append(name, value);
  }
  return header;
}

const contentTypeOf = (binary: boolean) => (binary ? "application/proto" : "application/json");

/** The answer's message, or the Connect error it carries (its headers as the error's metadata). */
function decode<O extends DescMessage>(method: DescMethodUnary<DescMessage, O>, answer: RawAnswer, binary: boolean) {
  const contentType = contentTypeOf(binary);
  const answerType = answer.contentType;
  if (answer.status !== 200) {
    const header = headersOf(answer.headers);
    const code = codeFromHttpStatus(answer.status);
    if (!answerType.startsWith("application/json")) throw new ConnectError(`HTTP ${answer.status}`, code, header);
    // connect-es reads the Connect error body; one it cannot read is thrown as the fallback,
    // which it gives the answer's headers too.
    let error: ConnectError;
    try {
      error = errorFromJsonBytes(answer.body, header, new ConnectError(`HTTP ${answer.status}`, code));
    } catch (fallback) {
      error = ConnectError.from(fallback);
    }
    throw error;
  }
  if (!answerType.startsWith(contentType)) {
    throw new ConnectError(
      `unexpected content type ${JSON.stringify(answerType)}`,
      Code.Internal,
      headersOf(answer.headers),
    );
  }
  try {
    return binary
      ? fromBinary(method.output, answer.body)
      : // JSON.parse, not fromJsonString: that one scans every answer for duplicate keys in JS
        // (bench/README.md); a duplicate here takes the last value, as JSON.parse does.
        fromJson(method.output, JSON.parse(answer.body.toString("utf8")), { ignoreUnknownFields: true });
  } catch (cause) {
    throw new ConnectError("the upstream's answer does not decode", Code.Internal, undefined, undefined, cause);
  }
}

export function createUnaryTransport(options: UnaryTransportOptions): Transport {
  const contentType = contentTypeOf(options.binary);
  const baseUrl = options.baseUrl.replace(/\/$/, "");
  const post = createPost(options.dispatcher, options.readMaxBytes);
  const noSignal = new AbortController().signal;

  return {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const exchange = async (
        url: string,
        headers: Record<string, string>,
        message: MessageShape<I>,
        callSignal: AbortSignal,
      ): Promise<UnaryResponse<I, O>> => {
        const body = options.binary ? toBinary(method.input, message) : toJsonString(method.input, message);
        const answer = await post(url, headers, callSignal, body, timeoutMs);
        const output = decode(method, answer, options.binary);
        let header: Headers | undefined;
        let trailer: Headers | undefined;
        return {
          stream: false,
          service: method.parent,
          method,
          // Built on first read: a successful call's headers are seldom looked at.
          get header() {
            if (!header) header = headersOf(answer.headers);
            return header;
          },
          message: output,
          get trailer() {
            if (!trailer) trailer = new Headers();
            return trailer;
          },
        };
      };
      const headers = headerRecord(header);
      headers["content-type"] = contentType;
      headers["connect-protocol-version"] = "1";
      if (timeoutMs !== undefined) headers["connect-timeout-ms"] = String(timeoutMs);
      const url = `${baseUrl}/${method.parent.typeName}/${method.name}`;
      const message = create(method.input, input);
      // Without interceptors, no request object (and no Headers) is built for them.
      if (options.interceptors.length === 0) return exchange(url, headers, message, signal ?? noSignal);
      const call = (request: UnaryRequest<I, O>) =>
        exchange(request.url, headerRecord(request.header), request.message, request.signal);
      const intercepted = options.interceptors.reduceRight(
        (next, interceptor) => interceptor(next as never) as unknown as typeof call,
        call,
      );
      return intercepted({
        stream: false,
        service: method.parent,
        method,
        requestMethod: "POST",
        url,
        signal: signal ?? noSignal,
        header: new Headers(headers),
        contextValues: contextValues ?? createContextValues(),
        message,
      });
    },
    stream() {
      return Promise.reject(new ConnectError("this transport makes unary calls only", Code.Unimplemented));
    },
  };
}
