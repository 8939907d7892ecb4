import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRolloutReport, getRolloutSeries } from "@/lib/analysis/report-service";
import { loadRolloutStats } from "@/lib/analysis/stats-repo";
import type { Actor } from "@/lib/auth/actor";
import { openDatabase, type Database } from "@/lib/db/client";
import { listPartitions } from "@/lib/db/partitions";
import { minutesKeptFrom, spanStart, type Retention } from "@/lib/db/retention";
import { runRetentionPass } from "@/lib/db/retention-job";
import { AppError } from "@/lib/errors";
import { recordFeedback } from "@/lib/metrics/feedback-service";
import { storeOn } from "@/lib/metrics/ingest-repo";
import { ingestBatch } from "@/lib/metrics/ingest-service";
import { recordScores } from "@/lib/metrics/late-score-service";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createScore } from "@/lib/release/score-service";
import { createVersion } from "@/lib/release/version-service";
import { loadSnapshot } from "@/lib/snapshot/load";
import { PastLookup } from "@/lib/snapshot/past";
import type { Snapshot } from "@/lib/snapshot/snapshot";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer } from "../helpers/client-api-server";
import { rollupsVsRecomputed, scoreRollupsVsRecomputed } from "../helpers/rollup-recompute";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Outcome retention on a real database, with a clock of the test's own: outcomes, their scores
// and the minute rollups live in day partitions (hour rollups in month partitions) made by ingest
// when missing and by the retention job ahead of time; the job drops whole partitions once their
// end is older than the setting and deletes the dropped days' outcome keys. Ingest stays
// idempotent on (config, request id) across partitions, refuses events older than the retention,
// and the rollups still kept stay equal to a recomputation from the outcomes still kept; reports
// read the hours where the minutes are gone.

const DAY = 86_400_000;
const HOUR = 3_600_000;
const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const key = { name: "test", configs: null };
/** Outcomes 3 days, minutes 2, hours 60: a week of test time crosses every boundary. */
const retention: Retention = { outcomes: 3, minutes: 2, hours: 60 };

let db: TestDatabase;
let snapshot: Snapshot;
let stableId: string;
let canaryId: string;
let rolloutId: string;
/** Tomorrow, 00:00 UTC: day k of the test starts at base + k days (after the rollout started). */
let base: number;
const day = (k: number, hours = 0) => new Date(base + k * DAY + hours * HOUR);
const dayName = (k: number) => day(k).toISOString().slice(0, 10).replace(/-/g, "");

/** Every event sent and stored, as the test knows it: what a report must add up to. */
const sent: { requestId: string; at: Date; variant: "stable" | "canary"; isError: boolean }[] = [];
let seq = 0;

function event(at: Date | null, over: Record<string, unknown> = {}) {
  const n = ++seq;
  const canary = n % 4 === 0;
  return {
    requestId: `r-${n}`,
    config: "chat",
    versionId: canary ? canaryId : stableId,
    isError: n % 9 === 0,
    latencyMs: 300 + ((n * 53) % 2500),
    ...(n % 5 === 0 ? { rating: 1 + (n % 5) } : {}),
    ...(n % 3 === 0 ? { scores: { groundedness: (n % 10) / 10 } } : {}),
    ...(at ? { at: at.toISOString() } : {}),
    ...over,
  };
}

type Event = ReturnType<typeof event>;

/** Sends a batch as /api/metrics does, at `now`; records what was stored. */
async function ingest(events: Event[], now: Date, on: Database = db, kept: Retention = retention) {
  const { answer } = await ingestBatch(storeOn(on), snapshot, key, { events }, now, kept);
  return answer;
}

function remember(events: Event[], now: Date) {
  for (const e of events) sent.push({ requestId: e.requestId, at: new Date(e.at ?? now), variant: e.versionId === canaryId ? "canary" : "stable", isError: e.isError });
}

const partitionsOf = async (table: string) => (await listPartitions(db)).filter((p) => p.table === table).map((p) => p.name);
const outcomeDays = async () => (await db.prisma.$queryRaw<{ day: string }[]>`SELECT DISTINCT tableoid::regclass::text AS day FROM outcomes ORDER BY 1`).map((r) => r.day);

async function expectRollupsExactOver(now: Date) {
  // The window still kept: minutes from the oldest minute day kept, hours from the oldest outcome day kept.
  const kept = { minute: new Date(Math.max(minutesKeptFrom(retention, now).getTime(), spanStart(new Date(now.getTime() - retention.outcomes * DAY), "day").getTime())), hour: spanStart(new Date(now.getTime() - retention.outcomes * DAY), "day") };
  const metrics = await rollupsVsRecomputed(db.prisma, kept);
  expect(Object.keys(metrics.stored).length).toBeGreaterThan(0);
  expect(metrics.stored).toEqual(metrics.recomputed);
  const scores = await scoreRollupsVsRecomputed(db.prisma, kept);
  expect(Object.keys(scores.stored).length).toBeGreaterThan(0);
  expect(scores.stored).toEqual(scores.recomputed);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await createConfig(db.prisma, system, { key: "chat", name: "Chat" });
  stableId = (await createVersion(db.prisma, system, "chat", { label: "v1", model: "gpt-4o", systemPrompt: "One.", temperature: 0.5, maxTokens: 64 })).id;
  canaryId = (await createVersion(db.prisma, system, "chat", { label: "v2", model: "gpt-4o", systemPrompt: "Two.", temperature: 0.5, maxTokens: 64 })).id;
  await createScore(db.prisma, system, "chat", { key: "groundedness", label: "Groundedness", kind: "numeric", min: 0, max: 1 });
  rolloutId = (await startRollout(db.prisma, system, "chat", { canaryVersionId: canaryId })).id;
  snapshot = (await loadSnapshot(db.prisma, null, null, new PastLookup(db.prisma))).snapshot;
  base = spanStart(new Date(), "day").getTime() + DAY;
});
afterAll(async () => {
  await db?.close();
});

describe("ingest into day partitions", () => {
  it("makes a missing partition on demand and stores a batch that spans two days in one statement", async () => {
    expect(await partitionsOf("outcomes")).toEqual([]); // no job has run on this database
    const now = day(1, 0.5);
    const events = [event(day(0, 23.9)), event(day(0, 23.99)), event(null), event(null)];
    expect(await ingest(events, now)).toEqual({ accepted: 4, duplicates: 0 });
    remember(events, now);
    expect(await outcomeDays()).toEqual([`outcomes_p${dayName(0)}`, `outcomes_p${dayName(1)}`]);
    expect(await partitionsOf("metric_rollups_hourly")).toEqual([`metric_rollups_hourly_p${dayName(0).slice(0, 6)}`, ...(dayName(1).slice(0, 6) !== dayName(0).slice(0, 6) ? [`metric_rollups_hourly_p${dayName(1).slice(0, 6)}`] : [])]);
    expect(await db.prisma.outcomeKey.count()).toBe(4);
  });

  it("takes a resent outcome as a duplicate within the window and across the partition boundary", async () => {
    // Sent at 23:59:59 without `at` (so at = then), resent at 00:00:01 the next day: a new `at`, another day.
    const events = Array.from({ length: 50 }, () => event(null));
    expect(await ingest(events, day(2, -1 / 3600))).toEqual({ accepted: 50, duplicates: 0 });
    remember(events, day(2, -1 / 3600));
    expect(await ingest(events, day(2, 1 / 3600))).toEqual({ accepted: 0, duplicates: 50 });
    // Within the day, and with the very same `at` two days on.
    expect(await ingest(events, day(1, 23.99))).toEqual({ accepted: 0, duplicates: 50 });
    const same = events.map((e) => ({ ...e, at: day(2, -1 / 3600).toISOString() }));
    expect(await ingest(same, day(4, 0))).toEqual({ accepted: 0, duplicates: 50 });
    const stored = await db.prisma.outcome.count({ where: { requestId: { in: events.map((e) => e.requestId) } } });
    expect(stored).toBe(50);
    await expectRollupsExactOver(day(2, 0));
  });

  it("refuses an event older than the retention with a 400 naming its index and field, and stores nothing of the batch", async () => {
    const now = day(5, 1);
    const before = await db.prisma.outcome.count();
    const events = [event(day(2, 1.001)), event(day(2, 0.999))];
    const refusal = await ingest(events, now).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      status: 400,
      message: "The `events.1.at` field is more than 3 days in the past, older than this server keeps outcomes (LLM_CANARY_RETENTION_DAYS); nothing was stored.",
      details: [{ path: "events.1.at", message: "is more than 3 days in the past, older than this server keeps outcomes (LLM_CANARY_RETENTION_DAYS)" }],
    });
    expect(await db.prisma.outcome.count()).toBe(before);
  });

  it("answers the same over HTTP with the deployment's setting (30 days by default)", async () => {
    const srv = await startClientApiServer(db);
    try {
      const auth = await adminKey(db.prisma, ["metrics"]);
      const old = { ...event(new Date(Date.now() - 30 * DAY - 60_000)), scores: undefined };
      const res = await send(srv.baseUrl, "/api/metrics", { auth, body: { events: [old] } });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: "events.0.at", message: "is more than 30 days in the past, older than this server keeps outcomes (LLM_CANARY_RETENTION_DAYS)" }]);
    } finally {
      await srv.close();
    }
  });
});

describe("the retention job, by the clock", () => {
  it("makes the coming days' partitions, drops whole days past their retention with their keys, and the kept rollups stay exact", async () => {
    // A day of traffic at noon on each of days 2 to 6, with late ratings and late scores.
    for (let k = 2; k <= 6; k++) {
      const events = Array.from({ length: 40 }, () => event(day(k, 12 + seq / 1000)));
      expect(await ingest(events, day(k, 13))).toEqual({ accepted: 40, duplicates: 0 });
      remember(events, day(k, 13));
    }
    await recordFeedback(db.prisma, key, { requestId: sent[10].requestId, rating: 2 });
    await recordScores(db, snapshot, key, { events: [{ requestId: sent[11].requestId, scores: { groundedness: 0.25 } }] }, day(6, 14), retention);

    const now = day(7, 1);
    const pass = await runRetentionPass(db, retention, now);
    // Outcomes: days ending 3 days before now or earlier go (days 0 to 3); minutes: 2 days (days 0 to 4); hours: none.
    expect(pass.dropped.sort()).toEqual(
      [0, 1, 2, 3].flatMap((k) => [`outcomes_p${dayName(k)}`, `outcome_scores_p${dayName(k)}`]).concat(
        [0, 1, 2, 3, 4].flatMap((k) => [`metric_rollups_p${dayName(k)}`, `score_rollups_p${dayName(k)}`]),
      ).sort(),
    );
    expect(pass.made).toEqual(expect.arrayContaining([`outcomes_p${dayName(7)}`, `outcomes_p${dayName(10)}`, `metric_rollups_p${dayName(10)}`]));
    expect(await partitionsOf("outcomes")).toEqual([4, 5, 6, 7, 8, 9, 10].map((k) => `outcomes_p${dayName(k)}`));
    expect(await partitionsOf("metric_rollups")).toEqual([5, 6, 7, 8, 9, 10].map((k) => `metric_rollups_p${dayName(k)}`));
    // Whole days only: every outcome of days 4 to 6 is still there, and only their keys are.
    const keptEvents = sent.filter((e) => e.at >= day(4));
    expect(await db.prisma.outcome.count()).toBe(keptEvents.length);
    expect(pass.keysDeleted).toBe(sent.length - keptEvents.length);
    expect((await db.prisma.outcomeKey.findMany({ select: { requestId: true } })).map((k) => k.requestId).sort()).toEqual(keptEvents.map((e) => e.requestId).sort());
    await expectRollupsExactOver(now);

    // A second pass finds nothing to do.
    expect(await runRetentionPass(db, retention, now)).toEqual({ made: [], dropped: [], keysDeleted: 0 });
  });

  it("finishes what a crash between detaching and dropping a partition left", async () => {
    const now = day(7, 1);
    // A partition detached but not dropped, and one detached that is still needed (made again).
    await db.query(`CREATE TABLE outcomes_p20000101 (LIKE outcomes)`, []);
    await db.query(`ALTER TABLE outcomes DETACH PARTITION "outcomes_p${dayName(9)}"`, []);
    const pass = await runRetentionPass(db, retention, now);
    expect(pass).toMatchObject({ made: [`outcomes_p${dayName(9)}`], dropped: ["outcomes_p20000101"] });
    expect(await partitionsOf("outcomes")).toEqual([4, 5, 6, 7, 8, 9, 10].map((k) => `outcomes_p${dayName(k)}`));
  });

  it("keeps ingest, feedback, late scores and reports working after the drop", async () => {
    const now = day(7, 2);
    // A late outcome of day 4: its outcomes partition is kept, its minutes are gone and not made again.
    const late = [event(day(4, 9)), event(day(4, 9.5))];
    expect(await ingest(late, now)).toEqual({ accepted: 2, duplicates: 0 });
    remember(late, now);
    expect(await partitionsOf("metric_rollups")).not.toContain(`metric_rollups_p${dayName(4)}`);
    // Feedback and a late score for it; feedback for an outcome of a dropped day finds nothing.
    await recordFeedback(db.prisma, key, { requestId: late[0].requestId, rating: 1 });
    const scored = await recordScores(db, snapshot, key, { events: [{ requestId: late[1].requestId, scores: { groundedness: 0.5 } }] }, now, retention);
    expect(scored.answer).toEqual({ accepted: 1, replaced: 0 });
    await expect(recordFeedback(db.prisma, key, { requestId: sent[0].requestId, rating: 3 })).rejects.toMatchObject({ status: 404 });
    // A resend of a dropped outcome: with its old `at`, refused; without one it is a new outcome (the rule README states).
    await expect(ingest([event(sent[0].at, { requestId: sent[0].requestId })], now)).rejects.toMatchObject({ status: 400 });
    const again = [event(null, { requestId: sent[0].requestId })];
    expect(await ingest(again, now)).toEqual({ accepted: 1, duplicates: 0 });
    remember(again, now);
    await expectRollupsExactOver(now);

    // The report adds up every outcome ever sent from the hours, though most minutes and outcomes are gone.
    const report = await getRolloutReport(db.prisma, rolloutId, now, retention);
    const count = (variant: "stable" | "canary") => sent.filter((e) => e.variant === variant).length;
    expect([report.stable.requests, report.canary.requests]).toEqual([count("stable"), count("canary")]);
    expect(report.canary.metrics.error_rate.count).toBe(count("canary"));
    const chart = await getRolloutSeries(db.prisma, rolloutId, now, retention);
    expect(chart.resolutionMinutes).toBeGreaterThanOrEqual(60);
    expect(chart.points.reduce((sum, p) => sum + p.stable.requests + p.canary.requests, 0)).toBe(sent.length);

    // A window that starts among the dropped minutes counts from the whole hour it starts in, and
    // its end (still among the kept minutes) to the minute.
    const since = day(2, 12.5);
    const until = day(6, 12 + 0.5 / 60);
    const stats = await loadRolloutStats(db.prisma, rolloutId, minutesKeptFrom(retention, now), since, until);
    const inWindow = (e: (typeof sent)[number]) => e.variant === "canary" && e.at >= day(2, 12) && Math.floor(e.at.getTime() / 60_000) * 60_000 <= until.getTime();
    expect(stats.canary.requests).toBe(sent.filter(inWindow).length);
    expect(stats.canary.sums.error_rate.sum).toBe(sent.filter((e) => inWindow(e) && e.isError).length);
  });

  it("stores a batch whose partition another instance dropped since this one last looked", async () => {
    // A second process with its own memory of the partitions, and a longer retention than the job's.
    const other = await openDatabase({ url: db.url });
    const longer = { outcomes: 30, minutes: 30, hours: 60 };
    try {
      const first = [event(day(4, 20))];
      expect(await ingest(first, day(7, 3), other, longer)).toEqual({ accepted: 1, duplicates: 0 });
      remember(first, day(7, 3));
      // This instance's job drops day 4 (outcomes kept 3 days): the other still believes it exists.
      expect((await runRetentionPass(db, retention, day(8, 1))).dropped).toContain(`outcomes_p${dayName(4)}`);
      const second = [event(day(4, 21))];
      expect(await ingest(second, day(8, 2), other, longer)).toEqual({ accepted: 1, duplicates: 0 });
      expect(await db.prisma.outcome.count({ where: { requestId: second[0].requestId } })).toBe(1);
    } finally {
      await other.close();
    }
  });
});
