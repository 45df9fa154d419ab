import type { IncomingMessage, ServerResponse } from "node:http";
import type { Interceptor } from "@connectrpc/connect";
import { getOperationAST } from "graphql";
import type { TracingConfig } from "./config/config.js";
import type { ExecutionHook } from "./graphql/execution-hooks.js";

/**
 * OpenTelemetry traces, exported over OTLP/HTTP: one server span per HTTP request (continuing
 * the caller's W3C `traceparent`), one span per GraphQL operation (its name and type, never
 * its variables or document), and one client span per upstream call, whose `traceparent`
 * the upstream receives. Loaded only when configured: without an endpoint, none of this
 * code is imported and nothing runs on the hot path.
 *
 * The HTTP span is made here rather than by @opentelemetry/instrumentation-http, which
 * patches `node:http` through require hooks that do not reach an ES module bundle.
 */
export interface Tracing {
  /** Runs the handling of one HTTP request inside its server span. */
  traceRequest(request: IncomingMessage, response: ServerResponse, handle: () => void): void;
  operationHook: ExecutionHook;
  upstreamInterceptor: Interceptor;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

type Api = typeof import("@opentelemetry/api");
type Tracer = import("@opentelemetry/api").Tracer;

/** The SDK, its sampler and exporter, set up as the process's global tracer provider. */
async function startProvider(config: TracingConfig) {
  const [api, core, contextHooks, sdk, resources, exporter] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/core"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/exporter-trace-otlp-http"),
  ]);
  const ratio = new sdk.TraceIdRatioBasedSampler(config.samplerRatio);
  const root = {
    always_on: new sdk.AlwaysOnSampler(),
    always_off: new sdk.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: new sdk.AlwaysOnSampler(),
    parentbased_always_off: new sdk.AlwaysOffSampler(),
    parentbased_traceidratio: ratio,
  }[config.sampler];
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": config.serviceName }),
    sampler: config.sampler.startsWith("parentbased_") ? new sdk.ParentBasedSampler({ root }) : root,
    spanProcessors: [
      new sdk.BatchSpanProcessor({ exporter: new exporter.OTLPTraceExporter({ url: config.tracesUrl }) }),
    ],
  });
  api.context.setGlobalContextManager(new contextHooks.AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  return { api, provider, tracer: api.trace.getTracer("oauth-clients-graph") };
}

/** The server span of each HTTP request, continuing the caller's trace. */
function requestSpans({ context, propagation, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT }: Api, tracer: Tracer) {
  return (request: IncomingMessage, response: ServerResponse, handle: () => void) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const path = (request.url ?? "/").split("?")[0]!;
    const span = tracer.startSpan(
      `${request.method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method ?? "", "url.path": path } },
      parent,
    );
    response.once("close", () => {
      span.setAttribute("http.response.status_code", response.statusCode);
      // Given by the request handler, inside this span: the caller's or a new one.
      const requestId = request.headers["x-request-id"];
      if (typeof requestId === "string") span.setAttribute("http.request.header.x-request-id", [requestId]);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), handle);
  };
}

/** The span of each GraphQL operation, around its resolvers (and so its upstream calls). */
function operationSpans({ context, trace, SpanStatusCode }: Api, tracer: Tracer): ExecutionHook {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? "unknown";
      const name = operation?.name?.value;
      const span = tracer.startSpan(name ? `${type} ${name}` : type, {
        attributes: { "graphql.operation.type": type, ...(name ? { "graphql.operation.name": name } : {}) },
      });
      const spanContext = trace.setSpan(context.active(), span);
      setExecuteFn((executionArgs) => context.with(spanContext, () => executeFn(executionArgs)));
      return {
        onExecuteDone({ result }) {
          if ("errors" in result && result.errors?.length) {
            span.setAttribute("graphql.error.count", result.errors.length);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },
  };
}

/** The client span of each upstream call, whose `traceparent` the upstream receives. */
async function upstreamSpans({ context, propagation, trace, SpanKind, SpanStatusCode }: Api, tracer: Tracer) {
  const [connect, protocol] = await Promise.all([
    import("@connectrpc/connect"),
    import("@connectrpc/connect/protocol-connect"),
  ]);
  const interceptor: Interceptor = (next) => async (request) => {
    const span = tracer.startSpan(`${request.service.typeName}/${request.method.name}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        "rpc.system": "connect_rpc",
        "rpc.service": request.service.typeName,
        "rpc.method": request.method.name,
      },
    });
    const callContext = trace.setSpan(context.active(), span);
    propagation.inject(callContext, request.header, { set: (headers, key, value) => headers.set(key, value) });
    try {
      return await context.with(callContext, () => next(request));
    } catch (error) {
      const { code } = connect.ConnectError.from(error);
      span.setAttribute("rpc.connect_rpc.error_code", protocol.codeToString(code));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  };
  return interceptor;
}

export async function startTracing(config: TracingConfig): Promise<Tracing> {
  const { api, provider, tracer } = await startProvider(config);
  return {
    traceRequest: requestSpans(api, tracer),
    operationHook: operationSpans(api, tracer),
    upstreamInterceptor: await upstreamSpans(api, tracer),
    shutdown: () => provider.shutdown(),
  };
}
