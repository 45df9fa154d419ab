import { type Plugin, useReadinessCheck } from "graphql-yoga";
import type { Readiness } from "../../readiness.js";

/** GET /readiness: 200 while the process can serve, 503 with its reason otherwise (src/readiness.ts decides). */
export function useReadinessEndpoint(readiness: () => Promise<Readiness>): Plugin {
  return useReadinessCheck({
    endpoint: "/readiness",
    check: async ({ fetchAPI }) => {
      const state = await readiness();
      return fetchAPI.Response.json(state, { status: state.ready ? 200 : 503 });
    },
  });
}
