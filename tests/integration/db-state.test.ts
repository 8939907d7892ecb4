import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKey } from "../helpers/call";
import { changedTables, listTables, stateReader, type StateReader } from "../helpers/db-state";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The fuzz tests' "nothing changed" check reuses its last full read of every table while no
// write has happened since. These check that reuse never hides a change: a committed write, a
// rolled-back one, and a write whose transaction was still open during a read and commits later.

let db: TestDatabase;
let read: StateReader;
let other: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  read = await stateReader(db, await listTables(db));
  other = new pg.Client({ connectionString: db.url });
  await other.connect();
});
afterAll(async () => {
  await other?.end();
  await db?.close();
});

const insertPrice = (client: { query: (sql: string, params: unknown[]) => Promise<unknown> }, model: string) =>
  client.query(`INSERT INTO model_prices (model, input_usd_per_million, output_usd_per_million, updated_at) VALUES ($1, 1, 2, now())`, [model]);

describe("the database state reader", () => {
  it("answers from its last read while nothing is written, and reads again after a write", async () => {
    const first = await read();
    const fullReads = read.fullReads;
    expect(await read()).toEqual(first);
    expect(read.fullReads).toBe(fullReads);

    await insertPrice(db, "state-reader-a");
    const after = await read();
    expect(read.fullReads).toBe(fullReads + 1);
    expect(changedTables(first, after)).toEqual([`model_prices: ${first.model_prices.rows} → ${first.model_prices.rows + 1} rows`]);

    await db.query(`UPDATE model_prices SET input_usd_per_million = 3 WHERE model = 'state-reader-a'`, []);
    expect(changedTables(after, await read())).toEqual(["model_prices: rows changed"]);
  });

  it("sees a write whose transaction was open during a read once it commits", async () => {
    const before = await read();
    await other.query("BEGIN");
    await insertPrice(other, "state-reader-b");
    // The insert is not committed: not in this read, which therefore must not be reused.
    expect(changedTables(before, await read())).toEqual([]);
    await other.query("COMMIT");
    expect(changedTables(before, await read())).toEqual([`model_prices: ${before.model_prices.rows} → ${before.model_prices.rows + 1} rows`]);
  });

  it("reads again after a rolled-back write and finds the same state", async () => {
    const before = await read();
    const fullReads = read.fullReads;
    await other.query("BEGIN");
    await insertPrice(other, "state-reader-c");
    await other.query("ROLLBACK");
    expect(await read()).toEqual(before);
    expect(read.fullReads).toBe(fullReads + 1);
  });

  it("does not read again when only a key's last use moved, and does when anything else of the key did", async () => {
    await adminKey(db.prisma);
    const { id } = await db.prisma.apiKey.findFirstOrThrow({ select: { id: true } });
    const before = await read();
    const fullReads = read.fullReads;
    await db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]);
    expect(await read()).toEqual(before);
    expect(read.fullReads).toBe(fullReads);
    await db.query(`UPDATE api_keys SET name = name || ' (renamed)' WHERE id = $1`, [id]);
    expect(changedTables(before, await read())).toEqual(["api_keys: rows changed"]);
  });
});
