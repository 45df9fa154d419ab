import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

/**
 * Loaded with `--import` into the facade by `npm run bench:profile -- --allocations`: samples
 * every allocation, garbage included (Node's own `--heap-prof` keeps only what is still live
 * at exit, which hides the per-request garbage that drives the scavenger), and writes the
 * profile to ALLOCATION_PROFILE_DIR when the process exits.
 */
const dir = process.env.ALLOCATION_PROFILE_DIR;
if (!dir) throw new Error("ALLOCATION_PROFILE_DIR is not set");

const session = new Session();
session.connect();
// A same-thread session answers synchronously, so the profile can be taken in an exit handler.
session.post("HeapProfiler.startSampling", {
  samplingInterval: 16_384,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on("exit", () => {
  session.post("HeapProfiler.stopSampling", (error, result) => {
    if (error) throw error;
    writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
});
