import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { listPartitions } from "@/lib/db/partitions";
import { spanEnd, spanStart } from "@/lib/db/retention";
import { runRetentionPass } from "@/lib/db/retention-job";
import { storeOn } from "@/lib/metrics/ingest-repo";
import { ingestBatch } from "@/lib/metrics/ingest-service";
import { loadSnapshot } from "@/lib/snapshot/load";
import { PastLookup } from "@/lib/snapshot/past";
import { databaseBefore, embeddedDatabaseBefore } from "../helpers/migrate-before";

// The migrations that partition outcomes (and their scores and rollups) by time and give each
// config a sample policy, on a database with rows from before them (a PostgreSQL server and the
// embedded database): every row is kept, in one `<table>_legacy` partition per table that
// retention drops whole once its end is older than the setting; each outcome's (config, request
// id) moves to outcome_keys, so a resent old outcome is still a duplicate; each config keeps the
// samples it kept.

const MIGRATION = "20261209030000_partitioned_outcomes";
const DAY = 86_400_000;
const TABLES = ["outcomes", "metric_rollups", "metric_rollups_hourly", "score_rollups", "score_rollups_hourly"];

describe.each([
  ["a PostgreSQL server", databaseBefore],
  ["the embedded database", embeddedDatabaseBefore],
])(`migration ${MIGRATION} on %s`, (_kind, before) => {
  let db: Database;
  let drop: () => Promise<void>;
  const rowsBefore: Record<string, unknown[]> = {};
  let scoresBefore: unknown[];
  const rows = async (table: string) => (await db.query<{ rows: unknown[] | null }>(`SELECT json_agg(t ORDER BY t.id) AS rows FROM ${table} t`, []))[0].rows ?? [];
  const scoreRows = async (withAt: boolean) =>
    (await db.query<{ rows: unknown[] }>(`SELECT json_agg(json_build_object('outcome_id', outcome_id, 'score_key', score_key, 'value', value, 'history', history, 'scored_at', scored_at${withAt ? ", 'at', at" : ""}) ORDER BY outcome_id, score_key) AS rows FROM outcome_scores`, []))[0].rows;

  beforeAll(async () => {
    ({ db, drop } = await before(MIGRATION));
    const sql = (text: string) => db.query(text, []);
    // Configs that kept samples in each way: the gateway's share (0, 0.25, 1), and samples sent by clients or none.
    await sql(`INSERT INTO configs (id, key, name, updated_at, gateway_sample_rate) VALUES
      ('cfg_a', 'chat', 'Chat', now(), 0), ('cfg_b', 'quiet', 'Quiet', now(), 0), ('cfg_c', 'share', 'Share', now(), 0.25), ('cfg_d', 'every', 'Every', now(), 1)`);
    for (const [id, config] of [["ver_a1", "cfg_a"], ["ver_a2", "cfg_a"], ["ver_b1", "cfg_b"]]) {
      await db.query(`INSERT INTO versions (id, config_id, label, model, system_prompt, temperature, top_p, max_tokens, author_label) VALUES ($1, $2, $1, 'gpt-4o', 'Hi.', 0.5, 1, 64, 'before')`, [id, config]);
    }
    await sql(`UPDATE configs SET stable_version_id = 'ver_a1', revision = 1 WHERE id = 'cfg_a'`);
    await sql(`UPDATE configs SET stable_version_id = 'ver_b1', revision = 1 WHERE id = 'cfg_b'`);
    // Outcomes of 40 days ago, 2 days ago and the last hour; some with samples, ratings, scores.
    await sql(`INSERT INTO outcomes (config_id, request_id, version_id, variant, is_error, latency_ms, latency_bucket, rating, input, output, at, rating_history)
      SELECT 'cfg_a', 'old-' || i, CASE WHEN i % 4 = 0 THEN 'ver_a2' ELSE 'ver_a1' END, (CASE WHEN i % 4 = 0 THEN 'canary' ELSE 'stable' END)::"Variant",
        i % 7 = 0, 100 + i, 10, CASE WHEN i % 3 = 0 THEN 1 + i % 5 END, CASE WHEN i % 2 = 0 THEN 'question ' || i END, CASE WHEN i % 2 = 0 THEN 'answer ' || i END,
        now() - make_interval(days => CASE WHEN i < 10 THEN 40 WHEN i < 20 THEN 2 ELSE 0 END) - make_interval(mins => i), '[]'
      FROM generate_series(0, 29) AS i`);
    await sql(`INSERT INTO outcomes (config_id, request_id, version_id, variant, is_error, latency_ms, latency_bucket, at)
      SELECT 'cfg_b', 'quiet-' || i, 'ver_b1', 'stable', false, 50, 5, now() - make_interval(hours => i) FROM generate_series(0, 2) AS i`);
    await sql(`INSERT INTO outcome_scores (outcome_id, score_key, value, history) SELECT id, 'groundedness', (id % 10) / 10.0, '[{"value": 0.5, "at": "2026-12-01T00:00:00Z"}]' FROM outcomes WHERE config_id = 'cfg_a' AND id % 2 = 0`);
    for (const [table, unit] of [["metric_rollups", "minute"], ["metric_rollups_hourly", "hour"]]) {
      await sql(`INSERT INTO ${table} (config_id, version_id, variant, ${unit}, count, errors, rating_hist, latency_hist)
        SELECT config_id, version_id, variant, date_trunc('${unit}', at, 'UTC'), count(*), count(*) FILTER (WHERE is_error), '{0,1,0,0,0}', '{0,2}' FROM outcomes GROUP BY 1, 2, 3, 4`);
    }
    for (const [table, unit] of [["score_rollups", "minute"], ["score_rollups_hourly", "hour"]]) {
      await sql(`INSERT INTO ${table} (config_id, version_id, variant, ${unit}, score_key, count, sum, sq_sum)
        SELECT o.config_id, o.version_id, o.variant, date_trunc('${unit}', o.at, 'UTC'), s.score_key, count(*), sum(s.value), sum(s.value * s.value)
        FROM outcome_scores s JOIN outcomes o ON o.id = s.outcome_id GROUP BY 1, 2, 3, 4, 5`);
    }
    for (const table of TABLES) rowsBefore[table] = await rows(table);
    scoresBefore = await scoreRows(false);
    expect((await applyMigrations(db)).slice(0, 2)).toEqual([MIGRATION, "20261209031000_sample_policy"]); // and any later ones
  }, 180_000);
  afterAll(async () => {
    await drop?.();
  });

  it("keeps every row, each table's in one legacy partition up to the end of the day (hours: month) after its newest row", async () => {
    for (const table of TABLES) expect(await rows(table), table).toEqual(rowsBefore[table]);
    const scores = (await scoreRows(true)) as { outcome_id: number; at: string }[];
    expect(scores.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== "at")))).toEqual(scoresBefore);
    const outcomeAt = new Map((rowsBefore.outcomes as { id: number; at: string }[]).map((o) => [o.id, o.at]));
    for (const s of scores) expect(new Date(s.at)).toEqual(new Date(outcomeAt.get(s.outcome_id)!));

    const today = spanStart(new Date(), "day");
    const endOf = (span: "day" | "month") => spanEnd(spanStart(today, span), span);
    const partitions = await listPartitions(db);
    expect(partitions.map((p) => [p.table, p.name, p.from, p.to]).sort()).toEqual(
      [
        ["outcomes", "outcomes_legacy", null, endOf("day")],
        ["outcome_scores", "outcome_scores_legacy", null, endOf("day")],
        ["metric_rollups", "metric_rollups_legacy", null, endOf("day")],
        ["score_rollups", "score_rollups_legacy", null, endOf("day")],
        ["metric_rollups_hourly", "metric_rollups_hourly_legacy", null, endOf("month")],
        ["score_rollups_hourly", "score_rollups_hourly_legacy", null, endOf("month")],
      ].sort(),
    );
  });

  it("moves each outcome's (config, request id) to outcome_keys, and gives each config the samples it kept", async () => {
    const [{ mismatched, keys }] = await db.query<{ mismatched: number; keys: number }>(
      `SELECT (SELECT count(*) FROM outcomes o LEFT JOIN outcome_keys k ON k.outcome_id = o.id AND k.at = o.at AND k.config_id = o.config_id AND k.request_id = o.request_id WHERE k.outcome_id IS NULL)::int AS mismatched,
        (SELECT count(*) FROM outcome_keys)::int AS keys`,
      [],
    );
    expect([mismatched, keys]).toEqual([0, 33]);
    const policies = await db.prisma.config.findMany({ select: { key: true, samplePolicy: true, sampleFraction: true }, orderBy: { key: "asc" } });
    expect(policies).toEqual([
      { key: "chat", samplePolicy: "all", sampleFraction: null }, // its clients sent samples
      { key: "every", samplePolicy: "all", sampleFraction: null },
      { key: "quiet", samplePolicy: "none", sampleFraction: null }, // never stored one
      { key: "share", samplePolicy: "fraction", sampleFraction: 0.25 },
    ]);
    await expect(db.query(`UPDATE configs SET sample_policy = 'fraction' WHERE id = 'cfg_a'`, [])).rejects.toThrow(/configs_sample_fraction_check/);
    await expect(db.query(`UPDATE configs SET sample_fraction = 1.5, sample_policy = 'fraction' WHERE id = 'cfg_a'`, [])).rejects.toThrow(/configs_sample_fraction_check/);
  });

  it("ingests after it: a resent old outcome is a duplicate, a new one gets the next id and a partition of its day", async () => {
    const snapshot = (await loadSnapshot(db.prisma, null, null, new PastLookup(db.prisma))).snapshot;
    const key = { name: "test", configs: null };
    const event = (requestId: string, at?: Date) => ({ requestId, config: "chat", versionId: "ver_a1", isError: false, latencyMs: 120, ...(at ? { at: at.toISOString() } : {}) });
    const [{ max }] = await db.query<{ max: string }>(`SELECT max(id)::text AS max FROM outcomes`, []);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    const { answer } = await ingestBatch(storeOn(db), snapshot, key, { events: [event("old-12"), event("old-25"), event("new-1", twoDaysAgo)] });
    expect(answer).toEqual({ accepted: 1, duplicates: 2 });
    // Past the legacy partition's end (tomorrow, on a clock of the test's own): a partition of its day.
    const tomorrow = spanEnd(spanStart(new Date(), "day"), "day");
    const later = await ingestBatch(storeOn(db), snapshot, key, { events: [event("new-2"), event("old-20")] }, new Date(tomorrow.getTime() + 3_600_000));
    expect(later.answer).toEqual({ accepted: 1, duplicates: 1 });
    const stored = await db.query<{ request_id: string; id: string; partition: string }>(`SELECT request_id, id::text, tableoid::regclass::text AS partition FROM outcomes WHERE request_id LIKE 'new-%' ORDER BY 1`, []);
    expect(stored.every((o) => BigInt(o.id) > BigInt(max))).toBe(true);
    expect(stored.map((o) => o.partition)).toEqual(["outcomes_legacy", `outcomes_p${tomorrow.toISOString().slice(0, 10).replace(/-/g, "")}`]);
  });

  it("drops the legacy partitions once their end is older than the retention, and the keys with them", async () => {
    const retention = { outcomes: 30, minutes: 14, hours: 400 };
    const legacyEnd = spanEnd(spanStart(new Date(), "day"), "day");
    const day = legacyEnd.toISOString().slice(0, 10).replace(/-/g, "");
    const before = await runRetentionPass(db, retention, new Date(legacyEnd.getTime() + 29 * DAY));
    // Minutes are kept 14 days: the legacy minutes and those of the day after go first.
    expect(before.dropped.sort()).toEqual(["metric_rollups_legacy", `metric_rollups_p${day}`, "score_rollups_legacy", `score_rollups_p${day}`]);
    const after = await runRetentionPass(db, retention, new Date(legacyEnd.getTime() + 30 * DAY));
    expect(after.dropped.sort()).toEqual(["outcome_scores_legacy", "outcomes_legacy"]);
    const [{ outcomes, keys }] = await db.query<{ outcomes: number; keys: number }>(`SELECT (SELECT count(*) FROM outcomes)::int AS outcomes, (SELECT count(*) FROM outcome_keys)::int AS keys`, []);
    expect([outcomes, keys]).toEqual([1, 1]); // the new outcome of the day after tomorrow, in a partition of its own
    expect(after.keysDeleted).toBe(34);
    // The sequence survived its first table: the next outcome still gets an id.
    expect((await db.query<{ id: string }>(`SELECT nextval('outcomes_id_seq')::text AS id`, []))[0].id).toMatch(/^\d+$/);
  });
});
