// bench:scale's three databases: the empty-history baseline (one config made through the
// services), the generated configs and keys without their history, and the generated database
// (scale-history.ts, scale-outcomes.ts); each with a client key and an admin key made through the
// services, and the probe config whose routing the bench changes.
import pg from "pg";
import type { Actor } from "../../lib/auth/actor";
import { createApiKey } from "../../lib/auth/api-key-service";
import { openDatabase, type Database } from "../../lib/db/client";
import { ensurePartitionsAt } from "../../lib/db/partitions";
import { minutesKeptFrom, retentionSettings, spanEnd, spanStart } from "../../lib/db/retention";
import { createConfig } from "../../lib/release/config-service";
import { createVersion } from "../../lib/release/version-service";
import { createBenchDatabase, type BenchDatabase } from "./harness";
import type { Probe } from "./scale-measure";
import { writeHistory } from "./scale-history";
import { writeOutcomes } from "./scale-outcomes";
import { DAYS, VERSIONS, configKey, versionId } from "./scale-timeline";

const SYSTEM: Actor = { type: "system", id: null, label: "bench", scopes: [] };
const DAY_MS = 86_400_000;

export interface Prepared {
  database: BenchDatabase;
  db: Database;
  probe: Probe;
  /** The configs the /api/route load asks for. */
  loadConfigs: string[];
  /** What generation did, for the log (none for the baseline). */
  generation: string[];
}

async function keys(db: Database): Promise<Pick<Probe, "routeAuth" | "adminAuth">> {
  const client = await createApiKey(db.prisma, SYSTEM, { name: "bench scale client", scopes: ["route", "metrics"] });
  const admin = await createApiKey(db.prisma, SYSTEM, { name: "bench scale admin", scopes: ["admin"] });
  return { routeAuth: `Bearer ${client.key}`, adminAuth: `Bearer ${admin.key}` };
}

/** The DAYS + 1 UTC days the generated outcomes fall in, before `now`. */
function outcomeDays(now: Date): Date[] {
  const days: Date[] = [];
  for (let day = spanStart(new Date(now.getTime() - DAYS * DAY_MS), "day"); day < now; day = spanEnd(day, "day")) days.push(day);
  return days;
}

/** The day partitions the generated outcomes fill, made empty (minute ones for the days whose minutes are kept), as the app makes them. */
async function emptyPartitions(db: Database): Promise<void> {
  const now = new Date();
  const minutesFrom = minutesKeptFrom(retentionSettings(), now);
  await ensurePartitionsAt(db, outcomeDays(now), (spec, day) => spec.kept !== "minutes" || day >= minutesFrom);
}

/** One config with two versions, made through the services, and the same day partitions as the generated database (empty). */
export async function prepareEmpty(): Promise<Prepared> {
  const database = await createBenchDatabase();
  const db = await openDatabase({ url: database.url });
  try {
    const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: "You are a helpful support agent.\nAnswer briefly.", temperature: 0.3, maxTokens: 512 });
    await createConfig(db.prisma, SYSTEM, { key: "scale-probe", name: "Scale probe" });
    const stable = await createVersion(db.prisma, SYSTEM, "scale-probe", version("v1"));
    const canary = await createVersion(db.prisma, SYSTEM, "scale-probe", version("v2"));
    await emptyPartitions(db);
    const probe = { configKey: "scale-probe", stableVersionId: stable.id, canaryVersionId: canary.id, ...(await keys(db)) };
    return { database, db, probe, loadConfigs: ["scale-probe"], generation: [] };
  } catch (error) {
    await db.close();
    await database.drop();
    throw error;
  }
}

const seconds = (n: number) => `${n.toFixed(1)} s`;

/** The configs of the generated probe (config 1: stable its last version, canary the one before) and the load (all). */
async function scaleProbe(db: Database, configs: number): Promise<Pick<Prepared, "probe" | "loadConfigs">> {
  const probe = { configKey: configKey(1), stableVersionId: versionId(1, VERSIONS - 1), canaryVersionId: versionId(1, VERSIONS - 2), ...(await keys(db)) };
  return { probe, loadConfigs: Array.from({ length: configs }, (_, c) => configKey(c)) };
}

/**
 * A generated database: a scratch database that `fill` writes through a pg client of its own
 * (returning what generation did, for the log), then the probe and the load's configs; the
 * database is dropped if any of it fails.
 */
async function generated(configs: number, fill: (client: pg.Client, db: Database, url: string) => Promise<string[]>): Promise<Prepared> {
  const database = await createBenchDatabase();
  const db = await openDatabase({ url: database.url });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const generation = await fill(client, db, database.url);
    return { database, db, ...(await scaleProbe(db, configs)), generation };
  } catch (error) {
    await db.close();
    await database.drop();
    throw error;
  } finally {
    await client.end();
  }
}

/** The generated configs and keys without their history: each config's last two versions, no rollouts, no outcomes. */
export function prepareNoHistory(configs: number): Promise<Prepared> {
  return generated(configs, async (client, db) => {
    await writeHistory(client, new Date(Math.floor(Date.now() / 60_000) * 60_000), false);
    await client.query("ANALYZE");
    await emptyPartitions(db);
    return [];
  });
}

/** The generated history and `outcomes` outcomes. */
export function prepareScale(outcomes: number, configs: number): Promise<Prepared> {
  return generated(configs, async (client, db, url) => {
    const started = performance.now();
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const history = await writeHistory(client, now);
    const written = await writeOutcomes(url, db, now, outcomes, retentionSettings());
    const totalS = (performance.now() - started) / 1000;
    const size = (await client.query<{ size: string }>("SELECT pg_size_pretty(pg_database_size(current_database())) AS size")).rows[0].size;
    return [
      `generated in ${seconds(totalS)} (${size} on disk): ${history.map(([name, s]) => `${name} ${seconds(s)}`).join(", ")}`,
      `  outcomes, summed over both connections: ${[...written.phases].map(([name, s]) => `${name} ${seconds(s)}`).join(", ")}`,
      `  ${written.minuteRollups.toLocaleString("en-US")} minute rollup rows, ${written.hourRollups.toLocaleString("en-US")} hour rollup rows`,
    ];
  });
}
