import type { Db } from "../db/types";
import { touchApiKeysLastUsed } from "./repo";

// `lastUsedAt` without a database write per request: the hot path notes the time in memory and
// a timer writes all keys used since the last flush in one statement.

export class KeyUsage {
  /** Key id → ms since epoch of its last use: a number, since the server's Date constructor is Next's slower wrapper. */
  private pending = new Map<string, number>();

  touch(keyId: string, at: Date | number = Date.now()): void {
    this.pending.set(keyId, typeof at === "number" ? at : at.getTime());
  }

  async flush(db: Db): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await touchApiKeysLastUsed(db, [...batch].map(([id, at]) => ({ id, at: new Date(at) })));
    } catch (error) {
      // Keep them for the next flush; a newer use noted meanwhile wins.
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      throw error;
    }
  }
}
