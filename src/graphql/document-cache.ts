import type { DocumentNode } from "graphql";
import { LRUCache } from "lru-cache";

/** Parsed documents kept, by their text, up to an estimate of their size in memory. */
const DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024;
/** Measured: a parsed document holds 30 to 90 times its text's length (bench/README.md). */
const PARSED_BYTES_PER_CHARACTER = 100;

/** The estimated memory of a parsed document, from its text's length. */
export const parsedBytes = (textLength: number) => Math.max(1, textLength * PARSED_BYTES_PER_CHARACTER);

/**
 * Yoga's parse cache, bounded by bytes rather than by entries, so that distinct padded
 * documents cannot fill the heap; a document that fails to parse is not kept at all (parsing
 * it again is linear and bounded by LIMIT_MAX_DOCUMENT_BYTES). Validation results live as
 * long as their document.
 */
export function boundedParserCache() {
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: DOCUMENT_CACHE_BYTES,
    sizeCalculation: (_document, text) => parsedBytes(text.length),
  });
  return {
    documentCache: {
      get: (text: string) => documents.get(text),
      set: (text: string, document: DocumentNode) => void documents.set(text, document),
    },
    errorCache: { get: () => undefined, set: () => undefined },
  };
}
