import type { Plugin } from "graphql-yoga";

/**
 * Nothing this service answers may be kept by a cache, on any transport (an event stream
 * included), but GraphiQL's page, which says so itself. A stream is not encoded: the
 * `Content-Encoding: none` Yoga's event streams carry is not a coding at all.
 */
export const useNoStore: Plugin = {
  onResponse({ response }) {
    if (response.status === 304 || response.headers.get("content-type")?.startsWith("text/html")) return;
    response.headers.set("cache-control", "no-store");
    if (response.headers.get("content-encoding") === "none") response.headers.delete("content-encoding");
  },
};
