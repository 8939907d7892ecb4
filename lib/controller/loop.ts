import type { Database } from "../db/client";
import { controlAll, controlRollout, type ControllerStep } from "./controller";

// The controller's loop: every tick, the instance holding the leader lock judges every running
// rollout (one leader across instances, so ticks are not repeated N times). Independently, any
// instance that stores outcomes for a rollout judges that rollout right away ("poke"; at most
// once a second, since under steady traffic every batch pokes), so a clear regression is rolled
// back within about a second of the batch that shows it — safe on several
// instances at once, because every action is guarded by the rollout's revision.

export interface ControllerLoop {
  /** Judge these rollouts soon (coalesced): their outcomes just changed. */
  poke(rolloutIds: readonly string[]): void;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  tickMs: number;
  /** How long a poke waits to coalesce with others. */
  pokeDelayMs?: number;
  /** At least this long between judgements triggered by pokes: under steady ingest every batch pokes. */
  pokeIntervalMs?: number;
  log?: (message: string) => void;
}

export function startController(db: Database, options: ControllerOptions): ControllerLoop {
  const log = options.log ?? ((message: string) => console.info(`[llm-canary] ${message}`));
  const lock = db.leaderLock("llm-canary-controller");
  let leader = false;
  let stopped = false;
  let tickTimer: NodeJS.Timeout | null = null;
  let pokeTimer: NodeJS.Timeout | null = null;
  const poked = new Set<string>();
  let lastPokeFlush = 0;
  // One pass at a time in this process: ticks and pokes queue behind each other.
  let work: Promise<unknown> = Promise.resolve();

  const report = (steps: ControllerStep[]) => {
    for (const step of steps) log(`controller: ${step.action.replace("_", " ")} ${step.rolloutId}: ${step.reason}`);
  };
  const serially = (task: () => Promise<void>) => {
    work = work.then(task).catch((error: unknown) => log(`controller: pass failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); retrying next tick`));
    return work;
  };

  const tick = async () => {
    if (stopped) return;
    await serially(async () => {
      const now = await lock.tryAcquire();
      if (now !== leader) log(now ? "controller: this instance leads (judges every running rollout each tick)" : "controller: leadership lost");
      leader = now;
      if (leader) report(await controlAll(db.prisma));
    });
    if (!stopped) {
      tickTimer = setTimeout(() => void tick(), options.tickMs);
      tickTimer.unref();
    }
  };

  const flushPokes = () => {
    pokeTimer = null;
    lastPokeFlush = Date.now();
    const ids = [...poked];
    poked.clear();
    void serially(async () => {
      const steps: ControllerStep[] = [];
      for (const id of ids) {
        const step = await controlRollout(db.prisma, id);
        if (step) steps.push(step);
      }
      report(steps);
    });
  };

  void tick();
  return {
    poke(rolloutIds) {
      if (stopped) return;
      for (const id of rolloutIds) poked.add(id);
      const wait = Math.max(options.pokeDelayMs ?? 100, lastPokeFlush + (options.pokeIntervalMs ?? 1_000) - Date.now());
      pokeTimer ??= setTimeout(flushPokes, wait);
    },
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (tickTimer) clearTimeout(tickTimer);
      if (pokeTimer) clearTimeout(pokeTimer);
      await work.catch(() => undefined);
      await lock.release();
    },
  };
}
