// Two instances, one database: the production server started twice (A and B, different ports,
// the same DATABASE_URL and AUTH_SECRET, a short controller tick) on a scratch database of a
// real PostgreSQL server, both carrying simulated traffic through the SDK. Then:
//   - TWO_TRIALS times: a canary started through A's admin API for an included (sticky) user;
//     once B routes that user to the canary, a rollback through A, and B's /api/route asked as
//     fast as it answers until it says stable. B's snapshot polling is off (TWO_POLL_MS, default
//     ten minutes), so only LISTEN/NOTIFY can carry the change. p99 must be ≤ TWO_P99_MAX_MS,
//     measured from the moment the rollback request was sent (and printed from A's answer too);
//   - exactly one controller leader at a time: the sessions holding the controller's advisory
//     lock are sampled every 100 ms (never two, and none only while a takeover is under way),
//     the holder's connection belongs to the instance whose log says it leads, and the logs
//     never show two instances leading at once;
//   - the leader killed with SIGKILL: the other leads within one tick plus TWO_TAKEOVER_SLACK_MS;
//     the killed one started again stays a follower;
//   - afterwards everything the two SDKs delivered is stored, and no instance's log has an
//     error line.
// Exits 1 when any property fails.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createSimulator, type Simulator } from "../../lib/demo/simulator";
import { CHANGE_CHANNEL } from "../../lib/change-notify";
import { startAppProcess, type AppProcess } from "../helpers/app-process";
import { createKey, createScratchDatabase, type ScratchDatabase } from "../helpers/scratch-database";
import { AdminApi } from "./support/admin-api";
import { Checks, SCRATCH_SERVER_URL, envNumber, handleHelp, int, machineLoad, ms, quantile, sleep } from "./support/checks";
import { checkErrorLines } from "./support/error-lines";
import { leadSpans, overlaps, watchLock, type LockWatch } from "./support/leadership";
import { checkStoredOutcomes, describeComparison } from "./support/rollup-check";
import { SOAK_CONFIGS, soakTraffic } from "./support/traffic";

handleHelp(`
node --import tsx tests/soak/two-instances.ts — two app instances on one PostgreSQL (exit 1 when a property fails)
  TWO_TRIALS             rollback trials (default 20)
  TWO_P99_MAX_MS         p99 limit, rollback sent through A → B answers stable (default 250)
  TWO_RPS                simulated route calls per second, split over A and B (default 80)
  TWO_TICK_MS            both apps' LLM_CANARY_CONTROLLER_TICK_MS (default 1000)
  TWO_TAKEOVER_SLACK_MS  allowed beyond one tick for the other instance to lead (default 1000)
  TWO_POLL_MS            both apps' LLM_CANARY_SNAPSHOT_POLL_MS (default 600000: NOTIFY only)
  TWO_PORT_A, TWO_PORT_B the apps' ports (default 3471, 3472)
  BENCH_DATABASE_URL     the local PostgreSQL server for the scratch database
                         (default postgresql://postgres@127.0.0.1:5432/postgres)`);

const TRIALS = envNumber("TWO_TRIALS", 20);
const P99_MAX_MS = envNumber("TWO_P99_MAX_MS", 250);
const RPS = envNumber("TWO_RPS", 80);
const TICK_MS = envNumber("TWO_TICK_MS", 1_000);
const TAKEOVER_SLACK_MS = envNumber("TWO_TAKEOVER_SLACK_MS", 1_000);
const POLL_MS = envNumber("TWO_POLL_MS", 600_000);
const PORT_A = envNumber("TWO_PORT_A", 3471);
const PORT_B = envNumber("TWO_PORT_B", 3472);
const PROBE_CONFIG = "two-probe";
const PROBE_USER = "probe-user";

const checks = new Checks();

async function main(): Promise<void> {
  console.info(`two-instances: ${TRIALS} trials, ${RPS} route calls/s over A and B, controller tick ${TICK_MS} ms (${machineLoad()})`);
  let database: ScratchDatabase | null = null;
  const apps: AppProcess[] = [];
  let lock: LockWatch | null = null;
  await checks.run(
    "two-instances",
    async () => {
      const { url } = (database = await createScratchDatabase(SCRATCH_SERVER_URL));
      const adminKey = await createKey(url, "two operator", ["admin"]);
      const clientKey = await createKey(url, "two traffic", ["route", "metrics"]);
      lock = await watchLock(url);
      const env = { LLM_CANARY_CONTROLLER_TICK_MS: String(TICK_MS), LLM_CANARY_SNAPSHOT_POLL_MS: String(POLL_MS), AUTH_SECRET: randomBytes(32).toString("base64url") };
      const start = (label: string, port: number) => startAppProcess({ databaseUrl: url, port, label, env }).then((app) => (apps.push(app), app));
      const [a, b] = await Promise.all([start("A", PORT_A), start("B", PORT_B)]);
      await run({ a, b, start, lock, adminKey, clientKey, databaseUrl: url });
    },
    async () => {
      await lock?.stop().catch(() => undefined);
      await Promise.all(apps.map((app) => app.stop()));
      await database?.drop();
    },
  );
}

interface Run {
  a: AppProcess;
  b: AppProcess;
  start: (label: string, port: number) => Promise<AppProcess>;
  lock: LockWatch;
  adminKey: string;
  clientKey: string;
  databaseUrl: string;
}

async function run({ a, b, start, lock, adminKey, clientKey, databaseUrl }: Run): Promise<void> {
  const viaA = new AdminApi(a.baseUrl, `Bearer ${adminKey}`);
  await viaA.createConfigs([...SOAK_CONFIGS.map((c) => c.key), PROBE_CONFIG]);
  const v2 = await viaA.createVersion(PROBE_CONFIG, "v2");
  const simulators: Simulator[] = [a, b].map((app, i) =>
    createSimulator({ baseUrl: app.baseUrl, apiKey: clientKey, traffic: soakTraffic(RPS / 2), users: 2_000, seed: i + 1, onError: () => undefined }),
  );
  simulators.forEach((s) => s.start());

  // — a rollback through A, seen on B —
  const variantOnB = async () => {
    const answer = await fetch(`${b.baseUrl}/api/route?config=${PROBE_CONFIG}&userId=${PROBE_USER}`, { headers: { authorization: `Bearer ${clientKey}` } });
    if (answer.status !== 200) checks.fail("B answers /api/route", `${answer.status} ${await answer.text()}`);
    return ((await answer.json()) as { variant: string }).variant;
  };
  const seenOnB = async (variant: string, since: number) => {
    while ((await variantOnB()) !== variant) {
      if (performance.now() - since > 5_000) checks.fail(`B answers ${variant}`, "not within 5 s");
    }
    return performance.now();
  };
  await seenOnB("stable", performance.now());
  const fromRequest: number[] = [];
  const fromAnswer: number[] = [];
  const fromCommit: number[] = [];
  const toCommit: number[] = [];
  const answerMs: number[] = [];
  const toCanary: number[] = [];
  const probeConfigId = (await viaA.config(PROBE_CONFIG)).config.id;
  const commits = await watchCommits(databaseUrl, probeConfigId);
  for (let trial = 0; trial < TRIALS; trial++) {
    const t0 = performance.now();
    const started = await viaA.startRollout(PROBE_CONFIG, v2, { include: [PROBE_USER] });
    if (started.status !== 201) checks.fail("start a canary through A", `${started.status} ${JSON.stringify(started.body)}`);
    toCanary.push((await seenOnB("canary", t0)) - t0);
    const sent = performance.now();
    const committed = commits.next(sent);
    const rolledBack = viaA.rollbackConfig(PROBE_CONFIG, `two-instances trial ${trial + 1}`);
    const seen = seenOnB("stable", sent);
    const answer = await rolledBack;
    const answered = performance.now();
    if (answer.status !== 200) checks.fail("roll back through A", `${answer.status} ${JSON.stringify(answer.body)}`);
    const seenAt = await seen;
    const commitAt = await committed;
    fromRequest.push(seenAt - sent);
    fromAnswer.push(Math.max(0, seenAt - answered));
    fromCommit.push(Math.max(0, seenAt - commitAt));
    toCommit.push(commitAt - sent);
    answerMs.push(answered - sent);
  }
  await commits.stop();
  const p99 = quantile(fromRequest, 0.99);
  const line = (name: string, values: number[]) => `${name} p50 ${ms(quantile(values, 0.5))}, p99 ${ms(quantile(values, 0.99))}`;
  console.info(`rollback through A seen on B, ${TRIALS} trials:`);
  console.info(`  ${line("request sent → B answers stable", fromRequest)}, max ${ms(Math.max(...fromRequest))}`);
  console.info(`  ${line("request sent → commit (NOTIFY heard by this script)", toCommit)}; ${line("A's answer", answerMs)}`);
  console.info(`  ${line("commit → B answers stable", fromCommit)}; ${line("A's answer → B answers stable", fromAnswer)}`);
  console.info(`  (start through A → B answers canary: ${line("", toCanary)})`);
  checks.expect(`rollback through A reaches B's /api/route, p99 ≤ ${P99_MAX_MS} ms`, p99 <= P99_MAX_MS, `p99 ${ms(p99)} over ${TRIALS} trials (from the request)`);

  // — one leader; the leader killed —
  const leaderLines = (app: AppProcess) => app.lines.filter((l) => /controller: (this instance leads|leadership lost)/.test(l.text));
  const leading = [a, b].filter((app) => /leads/.test(leaderLines(app).at(-1)?.text ?? ""));
  const holderPids = await lock.holderPids();
  console.info(`leading by the logs: ${leading.map((x) => `${x.label} (pid ${x.pid})`).join(", ") || "none"}; lock held by pid(s) ${holderPids.join(", ") || "none"}`);
  if (leading.length !== 1) checks.fail("exactly one instance says it leads", `${leading.length}: ${leading.map((x) => x.label).join(", ")}`);
  const [leader] = leading;
  const follower = leader === a ? b : a;
  checks.expect("the lock holder is the instance that says it leads", holderPids.length === 1 && holderPids[0] === leader.pid, `holder pid(s) ${holderPids.join(", ")}, ${leader.label} is pid ${leader.pid}`);

  const followerFrom = follower.lines.length;
  const killedAt = performance.now();
  await leader.kill("SIGKILL");
  const diedAt = performance.now();
  const takeover = await follower.waitForLine(/controller: this instance leads/, { from: followerFrom, timeoutMs: TICK_MS * 5 + 10_000 }).catch(() => null);
  const takeoverMs = takeover ? takeover.at - killedAt : Infinity;
  console.info(`${leader.label} SIGKILLed (exited after ${ms(diedAt - killedAt)}); ${follower.label} leads after ${ms(takeoverMs)} (tick ${TICK_MS} ms)`);
  checks.expect(`${follower.label} takes over within one tick (+${TAKEOVER_SLACK_MS} ms)`, takeoverMs <= TICK_MS + TAKEOVER_SLACK_MS, `${ms(takeoverMs)} after the kill`);
  const newHolder = await lock.holderPids();
  checks.expect("the lock moved to the survivor", newHolder.length === 1 && newHolder[0] === follower.pid, `holder pid(s) ${newHolder.join(", ")}, ${follower.label} is pid ${follower.pid}`);

  const again = await start(`${leader.label}'`, leader.port);
  await sleep(TICK_MS * 4); // not a wait for something: the window in which it must not lead
  const againLeads = again.lines.some((l) => /controller: this instance leads/.test(l.text));
  checks.expect(`${leader.label} started again stays a follower`, !againLeads && !follower.exited, againLeads ? "it says it leads too" : `${follower.label} still leads`);

  // — exactly one leader over the whole run —
  const spans = leadSpans([
    { app: leader, diedAt },
    { app: follower, diedAt: null },
    { app: again, diedAt: null },
  ]);
  const double = overlaps(spans);
  const samples = lock.samples;
  const twoHolders = samples.filter((s) => s.holders.length > 1);
  const firstHeld = samples.find((s) => s.holders.length === 1)?.at ?? Infinity;
  const noHolder = samples.filter((s) => s.at > firstHeld && s.holders.length === 0);
  const gapOutsideTakeover = noHolder.filter((s) => s.at < killedAt || s.at > (takeover?.at ?? Infinity));
  console.info(`lock samples: ${int(samples.length)} every 100 ms; with two holders ${twoHolders.length}; with none after the first leader ${noHolder.length} (${ms(noHolder.length * 100)} ≈ takeover gap)`);
  console.info(`leading spans by the logs: ${spans.map((s) => `${s.label} ${((s.from - spans[0].from) / 1000).toFixed(1)}-${Number.isFinite(s.to) ? ((s.to - spans[0].from) / 1000).toFixed(1) : "end"} s`).join(", ")}`);
  checks.expect("never two lock holders", twoHolders.length === 0, `${twoHolders.length} of ${samples.length} samples`);
  checks.expect("the lock is held except during the takeover", gapOutsideTakeover.length === 0, `${gapOutsideTakeover.length} samples without a holder outside the takeover`);
  checks.expect("the logs never show two leaders at once", double.length === 0, double.join(" | ") || `${spans.length} spans, none overlapping`);

  // — nothing lost by either SDK —
  const counters = await Promise.all(simulators.map((s) => s.stop()));
  const delivered = counters.reduce((n, c) => n + c.delivery.delivered, 0);
  const lost = counters.reduce((n, c) => n + c.delivery.failed + c.delivery.dropped, 0);
  const store = await checkStoredOutcomes(databaseUrl);
  console.info(`traffic: route calls A ${int(counters[0].sent)}, B ${int(counters[1].sent)}; delivered ${int(delivered)}, failed or dropped ${lost}; stored ${int(store.outcomes)}`);
  checks.expect("everything the SDKs delivered is stored", lost === 0 && store.outcomes === delivered, `delivered ${int(delivered)}, stored ${int(store.outcomes)}, failed or dropped ${lost}`);
  for (const cmp of [store.minute, store.hour]) checks.expect(`${cmp.unit} rollups = recomputation`, cmp.mismatches.length === 0, describeComparison(cmp));
  await Promise.all([follower.stop(), again.stop()]); // clean shutdowns, so the logs are complete when read
  checkErrorLines(checks, [a, b, again]);
}

/** When this script hears each committed change of one config (the change channel of lib/change-notify.ts). */
async function watchCommits(databaseUrl: string, configId: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const heard: number[] = [];
  db.on("notification", (message) => {
    const change = JSON.parse(message.payload ?? "{}") as { kind?: string; configId?: string };
    if (change.kind === "config" && change.configId === configId) heard.push(performance.now());
  });
  await db.query(`LISTEN ${CHANGE_CHANNEL}`);
  return {
    /** The first change heard after `since`. */
    async next(since: number): Promise<number> {
      const deadline = since + 10_000;
      for (;;) {
        const found = heard.find((at) => at > since);
        if (found !== undefined) return found;
        if (performance.now() > deadline) return NaN;
        await sleep(1);
      }
    },
    stop: () => db.end(),
  };
}

void main();
