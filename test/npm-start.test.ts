import { describe, expect, it } from "vitest";
import { queryName, spawnService } from "./support/service-process.js";

describe("npm start with no configuration", () => {
  it("serves a working query with the token it prints, within a few seconds, and stops on SIGTERM", async () => {
    const started = Date.now();
    const service = await spawnService("npm start");
    try {
      expect(await queryName(service)).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
      expect(Date.now() - started).toBeLessThan(10_000);
      // npm itself dies of the signal; the service under it shuts down and lets go of the port.
      process.kill(-service.child.pid!, "SIGTERM");
      await service.exited;
      await expect(fetch(service.graphqlUrl)).rejects.toThrow();
    } finally {
      service.cleanUp();
    }
  });
});
