import type { DocumentNode, Token } from "graphql";
import { LRUCache } from "lru-cache";

/** Parsed documents kept, by their text, up to an estimate of their size in memory. */
const DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024;
/**
 * Measured (bench/README.md): a parsed document holds 290 to 390 bytes per token (its nodes,
 * and the tokens their locations keep), and its text once; by characters alone it ranges from
 * 1 (padding) to 365 (`{a{b}a{b}…}`) bytes each, so tokens are what is counted.
 */
const PARSED_BYTES_PER_TOKEN = 450;
/** Without locations (never the case here), the densest documents' bytes per character. */
const PARSED_BYTES_PER_CHARACTER = 400;

/** The estimated memory of a parsed document: its tokens (at most LIMIT_MAX_TOKENS, a walk of them) and its text. */
export function parsedBytes(document: DocumentNode, textLength: number): number {
  const first = document.loc?.startToken;
  if (!first) return Math.max(1, textLength * PARSED_BYTES_PER_CHARACTER);
  let tokens = 0;
  for (let token: Token | null = first; token; token = token.next) tokens++;
  return 1024 + textLength + tokens * PARSED_BYTES_PER_TOKEN;
}

/**
 * Yoga's parse cache, bounded by bytes rather than by entries, so that distinct padded
 * documents cannot fill the heap; a document that fails to parse is not kept at all (parsing
 * it again is linear and bounded by LIMIT_MAX_DOCUMENT_BYTES). Validation results live as
 * long as their document.
 */
export function boundedParserCache() {
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: DOCUMENT_CACHE_BYTES,
    sizeCalculation: (document, text) => parsedBytes(document, text.length),
  });
  return {
    documentCache: {
      get: (text: string) => documents.get(text),
      set: (text: string, document: DocumentNode) => void documents.set(text, document),
    },
    errorCache: { get: () => undefined, set: () => undefined },
  };
}
