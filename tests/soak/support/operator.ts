import type { Random } from "../../../lib/demo/random";
import type { AdminApi, Answer, RolloutAction, RolloutView, Stage } from "./admin-api";
import { sleep } from "./checks";

// Operators at work through the admin API, at random intervals: start canaries (a new version
// each time), pause, resume, advance, promote, roll back, abort, roll back a whole config, and
// revert a promotion — sometimes with the revision they just read, sometimes with one that is
// already stale, sometimes with none. Several run at once, and the controller acts too, so
// races are part of the load: a lost race must answer 409, never 500; and an action sent with a
// stale revision must never succeed.

export interface OperatorOptions {
  configs: readonly string[];
  /** Operators acting concurrently. */
  count: number;
  /** Mean pause between one operator's actions; drawn uniformly from 0.2× to 1.8×. */
  meanPauseMs: number;
  stages: Stage[];
  random: Random;
}

export interface OperatorReport {
  /** Per action: status → count. */
  calls: Map<string, Map<number, number>>;
  /** Admin call latencies, ms. */
  latencies: number[];
  /** Answers other than 200, 201 and 409 (and failed calls), described. */
  unexpected: string[];
  /** Actions sent with a stale revision that succeeded anyway. */
  staleAccepted: string[];
  rolloutsStarted: number;
}

const OK = [200, 201, 409];

export function startOperators(api: AdminApi, options: OperatorOptions): { stop(): Promise<OperatorReport> } {
  const { random } = options;
  const report: OperatorReport = { calls: new Map(), latencies: [], unexpected: [], staleAccepted: [], rolloutsStarted: 0 };
  const labels = new Map<string, number>();
  const lastPromoted = new Map<string, string>();
  let stopped = false;

  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const weighted = <T extends string>(choices: [T, number][]): T => {
    let u = random() * choices.reduce((sum, [, w]) => sum + w, 0);
    for (const [choice, weight] of choices) if ((u -= weight) < 0) return choice;
    return choices[choices.length - 1][0];
  };
  /** Fresh (60 %), stale (10 %, when there is an older one), or none. */
  const revisionFor = (current: number): { revision?: number; stale: boolean } => {
    const u = random();
    if (u < 0.1 && current > 0) return { revision: current - 1, stale: true };
    return u < 0.7 ? { revision: current, stale: false } : { stale: false };
  };

  const record = (what: string, answer: Answer<unknown>, stale: boolean) => {
    const byStatus = report.calls.get(what) ?? new Map<number, number>();
    byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    report.calls.set(what, byStatus);
    report.latencies.push(answer.ms);
    if (!OK.includes(answer.status)) report.unexpected.push(`${what} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    if (stale && answer.status < 300) report.staleAccepted.push(`${what} with a stale revision → ${answer.status}`);
  };

  async function startCanary(config: string, configRevision: number): Promise<void> {
    const n = (labels.get(config) ?? 1) + 1;
    labels.set(config, n);
    const versionId = await api.createVersion(config, `s${n}`);
    const { revision, stale } = revisionFor(configRevision);
    const answer = await api.startRollout(config, versionId, {
      stages: options.stages,
      revision,
      sticky: random() < 0.9,
      autoPromote: random() < 0.5,
      ...(random() < 0.2 ? { include: ["u_include0001"], exclude: ["u_exclude0001"] } : {}),
    });
    record("start", answer, stale);
    if (answer.status === 201) report.rolloutsStarted++;
  }

  async function operate(config: string, rollout: RolloutView): Promise<void> {
    const action = weighted<RolloutAction | "config-rollback">(
      rollout.status === "running"
        ? [["pause", 2], ["advance", 3], ["promote", 1], ["rollback", 1.5], ["abort", 0.5], ["config-rollback", 0.5]]
        : [["resume", 4], ["promote", 0.5], ["rollback", 1], ["abort", 0.5]],
    );
    if (action === "config-rollback") return record(action, await api.rollbackConfig(config, "soak: operator rolls the config back"), false);
    const { revision, stale } = revisionFor(rollout.revision);
    const reason = action === "rollback" || action === "abort" ? { reason: `soak: operator ${action}` } : {};
    const answer = await api.act(rollout.id, action, { ...reason, revision });
    record(action, answer, stale);
    if (action === "promote" && answer.status === 200) lastPromoted.set(config, rollout.id);
  }

  async function step(): Promise<void> {
    const config = pick(options.configs);
    const view = await api.config(config);
    if (view.activeRollout) return operate(config, view.activeRollout);
    const promoted = lastPromoted.get(config);
    if (promoted && random() < 0.15) {
      lastPromoted.delete(config);
      return record("revert", await api.act(promoted, "revert", { reason: "soak: operator reverts the promotion" }), false);
    }
    return startCanary(config, view.config.revision);
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      await sleep(options.meanPauseMs * (0.2 + 1.6 * random()));
      if (stopped) break;
      try {
        await step();
      } catch (error) {
        report.unexpected.push(`operator step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  const loops = Array.from({ length: options.count }, () => loop());
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return report;
    },
  };
}
