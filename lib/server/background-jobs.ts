import { startAlertDispatcher } from "../alerts/dispatch";
import { startController } from "../controller/loop";
import type { Database } from "../db/client";
import { retentionOf } from "../db/retention";
import { startRetentionJob } from "../db/retention-job";
import type { Env } from "../env";
import { createEvaluationWorker } from "../evaluators/worker";

// The server's work that no request waits for: the controller, the alert dispatcher, the
// evaluation worker and the retention job. It runs on the console's thread (./console-worker.ts),
// not on the thread serving the client API and the gateway: a controller pass reads a rollout's
// statistics and judges them, which held calls in flight back when it ran beside them (README,
// bench:gateway).

export interface BackgroundJobs {
  /** Judge these rollouts soon: their outcomes or scores just changed. */
  poke(rolloutIds: readonly string[]): void;
  stop(): Promise<void>;
}

export function startBackgroundJobs(db: Database, env: Env, log: (message: string) => void): BackgroundJobs {
  const controller = startController(db, { tickMs: env.LLM_CANARY_CONTROLLER_TICK_MS, log });
  const alerts = startAlertDispatcher(db.prisma, 1_000, log);
  // Every instance evaluates; claims keep each evaluation on one of them. Its scores make the
  // controller judge their rollouts again, as client scores do.
  const evaluators = createEvaluationWorker(db, {
    concurrency: env.LLM_CANARY_EVAL_CONCURRENCY,
    perMinute: env.LLM_CANARY_EVAL_PER_MINUTE,
    timeoutMs: env.LLM_CANARY_EVAL_TIMEOUT_MS,
    log,
    onScored: (rolloutIds) => controller.poke(rolloutIds),
  });
  evaluators.start(1_000);
  // One instance at a time makes the coming days' partitions and drops the expired ones.
  const retention = startRetentionJob(db, retentionOf(env), log);
  return {
    poke: (rolloutIds) => controller.poke(rolloutIds),
    async stop() {
      await Promise.all([controller.stop(), alerts.stop(), evaluators.stop(), retention.stop()]);
    },
  };
}
