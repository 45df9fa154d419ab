import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type Plugin, shouldRenderGraphiQL } from "graphql-yoga";

/**
 * The operation GraphiQL opens with: operations/ExampleClient.graphql, the README's example
 * (a test keeps the two the same), with the example client's id as its variable.
 */
export const EXAMPLE_OPERATION = `# The README's example query: a client without its secret.
query ExampleClient($id: ID!) {
  oauthClient(id: $id) {
    id
    name
    redirectUri
    isVerified
    createdAt
    applicationBindings {
      applicationId
      config {
        jsonConfig
      }
    }
  }
}
`;

const EXAMPLE_VARIABLES = { id: "550e8400-e29b-41d4-a716-446655440000" };

interface Page {
  html: Buffer;
  gzipped: Buffer;
  etag: string;
  contentSecurityPolicy: string;
}

/**
 * Only what the page itself needs: its one inline script (by hash), the blob: workers it
 * starts, styles its editor injects, and requests to this origin. No framing, no forms.
 */
function contentSecurityPolicy(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) => `'sha256-${createHash("sha256").update(match[1]!).digest("base64")}'`,
  );
  return [
    "default-src 'none'",
    `script-src ${scripts.join(" ")}`,
    "worker-src blob:",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

async function renderPage(token: string | undefined): Promise<Page> {
  // The renderer inlines about 9 MB of assets: loaded on the first page view, not at start.
  const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
  const text = renderGraphiQL({
    title: "oauth-clients-graph",
    defaultQuery: EXAMPLE_OPERATION,
    // Yoga's GraphiQL passes this on as the variables editor's first content; its type omits it.
    ...{ variables: JSON.stringify(EXAMPLE_VARIABLES, null, 2) },
    headers: token ? JSON.stringify({ Authorization: `Bearer ${token}` }) : undefined,
  });
  const html = Buffer.from(text);
  return {
    html,
    gzipped: await promisify(gzip)(html),
    etag: `"${createHash("sha256").update(html).digest("base64url").slice(0, 27)}"`,
    contentSecurityPolicy: contentSecurityPolicy(text),
  };
}

export interface GraphiQLPageOptions {
  graphqlPath: string;
  /** The token the page opens with for this request, if any: the HTTP layer decides who may get one. */
  tokenFor(request: Request): string | undefined;
}

/**
 * GraphiQL from the installed package (no CDN: works offline), rendered once per token and
 * kept gzipped. A page that holds a token is never stored by a cache; one without is
 * cacheable and revalidated by its ETag, so a reload costs a 304, not 9 MB.
 */
export function useGraphiQLPage({ graphqlPath, tokenFor }: GraphiQLPageOptions): Plugin {
  const pages = new Map<string | undefined, Promise<Page>>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlPath || !shouldRenderGraphiQL(request)) return;
      const token = tokenFor(request);
      if (!pages.has(token)) pages.set(token, renderPage(token));
      return pages.get(token)!.then((rendered) => {
        const headers: Record<string, string> = {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": rendered.contentSecurityPolicy,
          "x-frame-options": "DENY",
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
          "cache-control": token ? "no-store" : "no-cache",
          vary: "Accept-Encoding, Origin",
        };
        if (!token) {
          headers.etag = rendered.etag;
          if (request.headers.get("if-none-match") === rendered.etag) {
            return endResponse(new fetchAPI.Response(null, { status: 304, headers }));
          }
        }
        const gzipped = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
        if (gzipped) headers["content-encoding"] = "gzip";
        endResponse(new fetchAPI.Response(new Uint8Array(gzipped ? rendered.gzipped : rendered.html), { headers }));
      });
    },
  };
}
