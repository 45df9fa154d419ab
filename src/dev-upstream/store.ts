import { randomBytes } from "node:crypto";
import { clone, fromJson } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { type Client, ClientSchema } from "../gen/xeonr/auth/api/v1/clients_pb.js";
import type { SeedClient } from "./seed.js";

/** The development upstream's in-memory clients. Hands out copies, never its own records. */
export class ClientStore {
  private readonly clients = new Map<string, Client>();

  constructor(seed: readonly SeedClient[]) {
    for (const record of seed) this.clients.set(record.clientId, fromJson(ClientSchema, { ...record }));
  }

  get(clientId: string, includeSecret: boolean): Client | undefined {
    const stored = this.clients.get(clientId);
    if (!stored) return undefined;
    const copy = clone(ClientSchema, stored);
    if (!includeSecret) copy.clientSecret = "";
    return copy;
  }

  /** Replaces the secret with a new random one; the old one is gone for good. */
  regenerateSecret(clientId: string): Client | undefined {
    const stored = this.clients.get(clientId);
    if (!stored) return undefined;
    stored.clientSecret = `sk_live_${randomBytes(16).toString("hex")}`;
    stored.updatedAt = timestampNow();
    return clone(ClientSchema, stored);
  }
}
