/**
 * The production entry, bundled by `npm run build` into dist/oauth-clients-graph.mjs. Before
 * anything else is loaded (the service arrives by a dynamic import, so none of its code is even
 * parsed), it refuses a Node older than the one the bundle targets, in one line naming both.
 */
const MINIMUM_NODE = "24.11.0";

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const [needMajor = 0, needMinor = 0] = MINIMUM_NODE.split(".").map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `oauth-clients-graph needs Node ${MINIMUM_NODE} or newer, and this is Node ${process.versions.node}: run it with the project's Node (npm run serve) or a Node 24 image.\n`,
  );
  process.exit(1);
}
await import("./production-service.js");
