import type { Plugin } from "graphql-yoga";
import { limitExceeded } from "../../errors.js";

/** Refuses a document longer than the limit before it is parsed: whitespace, comments and strings included. */
export function useDocumentSize(maxBytes: number): Plugin {
  return {
    onParams({ params, setResult }) {
      // A batch member that is not an object is Yoga's to refuse (BAD_REQUEST), after this.
      const query = (params as { query?: unknown } | null)?.query;
      // A UTF-8 byte count is at least the UTF-16 length and at most three times it.
      if (typeof query !== "string" || query.length * 3 <= maxBytes) return;
      const bytes = query.length > maxBytes ? query.length : Buffer.byteLength(query);
      if (bytes <= maxBytes) return;
      setResult({
        errors: [
          limitExceeded("document_bytes", `A GraphQL document may be at most ${maxBytes} bytes, this one is ${bytes}.`),
        ],
      });
    },
  };
}
