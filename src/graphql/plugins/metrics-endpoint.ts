import type { Plugin } from "graphql-yoga";
import type { Metrics } from "../../metrics.js";

/** GET /metrics: the Prometheus exposition of this facade's registry. */
export function useMetricsEndpoint(metrics: Metrics): Plugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== "/metrics" || request.method !== "GET") return;
      return metrics.exposition().then(
        (text) =>
          endResponse(new fetchAPI.Response(text, { headers: { "content-type": metrics.registry.contentType } })),
        // A cluster's primary that does not answer: the scrape fails, and says why.
        (error: Error) => endResponse(new fetchAPI.Response(`# ${error.message}\n`, { status: 503 })),
      );
    },
  };
}
