import { fileURLToPath } from "node:url";

/** Where the development issuer keeps its keys, so `npm run token` and a running upstream agree. */
export const DEV_KEY_FILE =
  process.env.DEV_ISSUER_KEY_FILE ?? fileURLToPath(new URL("../../.dev/issuer-keys.json", import.meta.url));
