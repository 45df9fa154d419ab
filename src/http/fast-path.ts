import type { IncomingMessage, ServerResponse } from "node:http";
import { sendNodeResponse } from "@whatwg-node/server";
import { GRAPHQL_PATH, type GraphQLHandler } from "../graphql/yoga.js";
import type { RequestHandler } from "./request-handler.js";

/**
 * The fast path: a JSON POST to /graphql (nearly every request) answered by Yoga's own
 * `handle` without the Fetch-API adapter around it.
 *
 * The body is read and parsed here, so every phase of Yoga runs as for any other request; only
 * the adapter's Request object and its `onRequest` hooks are left out, and none of them answers
 * a POST to this path. Anything else goes to the adapter unchanged. `test/fast-path.test.ts`
 * compares every status, header and byte of both paths.
 */

/** Whether Yoga's JSON request parser takes this request (its `isPOSTJsonRequest`). */
function isJsonPost(request: IncomingMessage): boolean {
  const contentType = request.headers["content-type"]?.split(",")[0];
  if (contentType === undefined) return false;
  return ["application/json", "application/graphql+json"].some(
    (type) => contentType === type || contentType.startsWith(`${type};`),
  );
}

/** Reads a request's body whole; undefined when the request ends before it does. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.once("error", () => resolve(undefined));
    request.once("close", () => {
      if (!request.complete) resolve(undefined);
    });
  });
}

/** An AbortSignal that fires when the connection closes before the answer is sent, as the adapter's does. */
function closeSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort(response.errored ?? undefined);
  response.once("error", abort);
  response.once("close", abort);
  response.once("finish", () => response.removeListener("close", abort));
  return controller.signal;
}

type ResponseHook = (payload: object) => unknown;

export function createFastPath({ adapter, server }: GraphQLHandler): RequestHandler {
  const { fetchAPI } = server;
  // biome-ignore lint/complexity/useLiteralKeys: the hooks the adapter runs on every answer (Yoga's plugins, protected).
  const responseHooks = server["plugins"].flatMap((plugin) =>
    plugin && "onResponse" in plugin && plugin.onResponse ? [plugin.onResponse as ResponseHook] : [],
  );
  // Nothing of this service defers work past an answer; a plugin that did would be awaited by nobody, as here.
  const waitUntil = (promise: void | Promise<void>) => void promise?.catch(() => undefined);

  async function answer(request: IncomingMessage, response: ServerResponse, text: string, body: unknown) {
    // What Yoga and its plugins read of a request, with the body it would have parsed.
    const fetchRequest = {
      method: "POST",
      url: `http://${request.headers.host ?? "localhost"}${GRAPHQL_PATH}`,
      headers: new fetchAPI.Headers(request.headers as Record<string, string>),
      signal: closeSignal(response),
      json: () => Promise.resolve(body),
      text: () => Promise.resolve(text),
    } as unknown as Request;
    const serverContext = { req: request, res: response, waitUntil };
    let fetchResponse = await server.handle(fetchRequest, serverContext);
    for (const hook of responseHooks) {
      await hook({
        request: fetchRequest,
        response: fetchResponse,
        serverContext,
        setResponse(next: Response) {
          fetchResponse = next;
        },
        fetchAPI,
      });
    }
    await sendNodeResponse(fetchResponse, response, request, true);
  }

  return (request, response) => {
    const length = request.headers["content-length"];
    if (request.method !== "POST" || request.url !== GRAPHQL_PATH || !length || length === "0" || !isJsonPost(request))
      return void adapter(request, response);
    void readBody(request).then((raw) => {
      if (!raw) return;
      const text = raw.toString("utf-8");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // Yoga words a body that is not JSON itself: it reads a body read already from `body`.
        return void adapter(Object.assign(request, { body: raw }), response);
      }
      return answer(request, response, text, body).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
  };
}
