import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's headless Chromium, without the background traffic this closed network refuses. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Runs the query GraphiQL opened with, and waits until its result pane shows `expected`. */
export async function runGraphiQLQuery(tab: Page, expected: string): Promise<void> {
  await tab.locator(".graphiql-execute-button").click({ timeout: 20_000 });
  await expect
    // The editor renders spaces as no-break spaces.
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the editor's line breaks.
    .poll(async () => (await tab.locator(".result-window").innerText()).replaceAll("\u00a0", " "), {
      timeout: 20_000,
    })
    .toContain(expected);
}
