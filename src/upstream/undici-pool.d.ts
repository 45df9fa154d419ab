// undici's Pool alone: the package's index loads every API it has (fetch, WebSocket, caches,
// mocks), which cost the facade's start ~90 ms (bench/README.md). The types are the index's.
declare module "undici/lib/dispatcher/pool.js" {
  import type { Pool } from "undici";

  const PoolClass: typeof Pool;
  export default PoolClass;
}
