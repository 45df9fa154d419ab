import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIENT_ID } from "../src/dev-upstream/seed.js";
import { type ServiceProcess, spawnService } from "./support/service-process.js";

/**
 * With WORKERS=2, a scrape reports the whole process group: requests spread over both workers
 * by separate connections (the cluster hands connections round robin) are all counted, by
 * whichever worker answers the scrape.
 */

/** One HTTP exchange on a connection of its own. */
function once(url: string, method: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const sent = request(url, { method, agent: false, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, text }));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

const count = (exposition: string, series: string) =>
  Number(
    exposition
      .split("\n")
      .find((line) => line.startsWith(`${series} `))
      ?.split(" ")[1] ?? 0,
  );

describe("/metrics with WORKERS=2", () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await spawnService("node", { LOG_LEVEL: "warn", WORKERS: "2" });
  }, 30_000);
  afterAll(() => service?.cleanUp());

  it("reports every worker in every scrape", async () => {
    const query = JSON.stringify({ query: `query Counted { oauthClient(id: "${EXAMPLE_CLIENT_ID}") { name } }` });
    const headers = { "content-type": "application/json", authorization: `Bearer ${service.token}` };
    for (let i = 0; i < 10; i++) {
      const { status, text } = await once(service.graphqlUrl, "POST", query, headers);
      expect(status).toBe(200);
      expect(JSON.parse(text).data.oauthClient.name).toBe("My OAuth App");
    }
    const metricsUrl = service.graphqlUrl.replace(/\/graphql$/, "/metrics");
    const series = 'graphql_operations_total{operation="Counted",type="query",outcome="success"}';
    for (let scrape = 0; scrape < 4; scrape++) {
      const { status, text } = await once(metricsUrl, "GET");
      expect(status).toBe(200);
      expect(count(text, series)).toBe(10);
      expect(count(text, 'upstream_calls_total{procedure="GetClient",code="ok"}')).toBe(10);
    }
    // Scrapes that arrive together share the primary's gathering: none fails.
    const together = await Promise.all(Array.from({ length: 30 }, () => once(metricsUrl, "GET")));
    for (const { status, text } of together) {
      expect(status).toBe(200);
      expect(count(text, series)).toBe(10);
    }
  });
});
