import type { Plugin } from "graphql-yoga";
import { limitExceeded } from "../../errors.js";

/**
 * Lines a document may have. Each error of a document locates itself by scanning its lines
 * from the first (graphql-js's getLocation), and errors are built more than once on their way
 * out: 100 errors after 15,000 newlines took 144 ms of CPU. A 16 kB document of readable
 * GraphQL has a few hundred lines.
 */
const MAX_DOCUMENT_LINES = 1_000;

/** The document's lines as graphql-js counts them (\r\n, \r and \n each end one), up to one past the bound. */
function linesOf(text: string): number {
  let lines = 1;
  for (let at = 0; at < text.length && lines <= MAX_DOCUMENT_LINES; at++) {
    const char = text.charCodeAt(at);
    if (char === 10) lines++;
    else if (char === 13) {
      lines++;
      if (text.charCodeAt(at + 1) === 10) at++;
    }
  }
  return lines;
}

/**
 * Refuses, before it is parsed, a document longer than the limit (whitespace, comments and
 * strings included) or of more lines than MAX_DOCUMENT_LINES.
 */
export function useDocumentSize(maxBytes: number): Plugin {
  return {
    onParams({ params, setResult }) {
      // A batch member that is not an object is Yoga's to refuse (BAD_REQUEST), after this.
      const query = (params as { query?: unknown } | null)?.query;
      if (typeof query !== "string") return;
      // A UTF-8 byte count is at least the UTF-16 length and at most three times it.
      const bytes =
        query.length * 3 <= maxBytes ? 0 : query.length > maxBytes ? query.length : Buffer.byteLength(query);
      if (bytes > maxBytes) {
        const message = `A GraphQL document may be at most ${maxBytes} bytes, this one is ${bytes}.`;
        setResult({ errors: [limitExceeded("document_bytes", message)] });
      } else if (linesOf(query) > MAX_DOCUMENT_LINES) {
        const message = `A GraphQL document may have at most ${MAX_DOCUMENT_LINES} lines.`;
        setResult({ errors: [limitExceeded("document_lines", message)] });
      }
    },
  };
}
