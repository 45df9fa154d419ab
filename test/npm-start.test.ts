import { describe, expect, it } from "vitest";
import { queryName, spawnService } from "./support/service-process.js";

describe("npm start with no configuration", () => {
  it("serves a working query with the token it prints, and stops on SIGTERM", async () => {
    const service = await spawnService("npm start");
    try {
      expect(await queryName(service)).toEqual({ data: { oauthClient: { name: "My OAuth App" } } });
      // npm itself dies of the signal at once; the service under it shuts down and lets go of
      // the port a moment later. Waiting for npm alone was this test's flake.
      process.kill(-service.child.pid!, "SIGTERM");
      await service.groupExited();
      await expect(fetch(service.graphqlUrl)).rejects.toThrow();
    } finally {
      service.cleanUp();
    }
  });
});
