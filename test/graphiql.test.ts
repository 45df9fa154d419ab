import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, runGraphiQLQuery } from "./support/browser.js";
import { type Stack, startStack } from "./support/stack.js";

describe("GraphiQL, served offline from installed packages", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const page = async () => {
    const response = await fetch(stack.facade.graphqlUrl, { headers: { accept: "text/html" } });
    return { status: response.status, html: await response.text() };
  };

  it("serves the page without referring to any CDN", async () => {
    const { status, html } = await page();
    expect(status).toBe(200);
    expect(html).toContain("YogaGraphiQL");
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
  });

  it("puts the development token in GraphiQL's headers in development mode only", async () => {
    expect((await page()).html).toContain(stack.token);
    const production = await startStack({ INTROSPECTION: "true" }, { mode: "production" });
    try {
      const html = await (await fetch(production.facade.graphqlUrl, { headers: { accept: "text/html" } })).text();
      expect(html).toContain("YogaGraphiQL");
      expect(html).not.toContain(production.token);
      expect(html).not.toMatch(/Bearer/);
    } finally {
      await production.close();
    }
  });

  it("runs the example operation in a real browser and shows the client's name in the result pane", async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const offsite: string[] = [];
      const policyViolations: string[] = [];
      tab.on("console", (message) => {
        if (message.text().includes("Content Security Policy")) policyViolations.push(message.text());
      });
      tab.on("request", (request) => {
        const url = new URL(request.url());
        if (!["127.0.0.1", "localhost"].includes(url.hostname) && !["blob:", "data:"].includes(url.protocol)) {
          offsite.push(request.url());
        }
      });
      await tab.goto(stack.facade.graphqlUrl);
      await runGraphiQLQuery(tab, '"name": "My OAuth App"');
      expect(offsite).toEqual([]);
      expect(policyViolations).toEqual([]);
      await tab.screenshot({ path: "test-results/graphiql.png" }).catch(() => undefined);
    } finally {
      await browser.close();
    }
  });
});
