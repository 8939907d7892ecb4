import type { Database } from "../db/client";
import { attemptEvaluation, type Work } from "./attempt";
import { ConnectionGate, DEFAULT_BREAKER, type BreakerOptions, type BreakerState } from "./backoff";
import { claimDueEvaluations, connectionsWithDueWork, leaseEvaluations, loadWork } from "./repo";
import { samplePass } from "./sampler";
import { runPeriodically, type Periodic } from "../periodic";

// The evaluation worker: every instance runs one, beside the alert dispatcher. Each pass samples
// new outcomes (lib/evaluators/sampler.ts), then starts the due evaluations each connection has
// room for (its concurrency, calls per minute and breaker, lib/evaluators/backoff.ts), claimed
// with FOR UPDATE SKIP LOCKED and leased for the longest a call may take, so no two instances run
// the same evaluation. Calls run in the background of the process: a pass never waits for them,
// and nothing here is on the path of ingest or routing. Failures are logged by kind, without
// prompts, answers or keys. The limits are per instance: N instances may make N times the calls.

export interface EvaluationWorkerOptions {
  /** Calls at once per connection (default 4). */
  concurrency?: number;
  /** Calls started per minute per connection (default 120). */
  perMinute?: number;
  /** Until the judge's answer starts (default 30 s); the whole answer within twice that. */
  timeoutMs?: number;
  /** Attempts per evaluation, the first included (default 4). */
  maxAttempts?: number;
  breaker?: BreakerOptions;
  log?: (message: string) => void;
  /** Rollouts that got scores: the controller judges them again (as after /api/scores). */
  onScored?: (rolloutIds: string[]) => void;
  random?: () => number;
}

export interface ConnectionState {
  providerId: string;
  breaker: BreakerState;
  inFlight: number;
  reopensAt: Date | null;
}

export interface EvaluationWorker {
  /** One pass: sample, start what is due (as of `now`), and wait for the calls it started. */
  runOnce(now?: Date): Promise<{ queued: number; started: number }>;
  /** Passes every `intervalMs` until stopped. */
  start(intervalMs: number): void;
  /** Stops the passes and hands in-flight evaluations back (aborted calls are not failures). */
  stop(): Promise<void>;
  connections(): ConnectionState[];
}

export function createEvaluationWorker(db: Database, options: EvaluationWorkerOptions = {}): EvaluationWorker {
  const settings = {
    concurrency: options.concurrency ?? 4,
    perMinute: options.perMinute ?? 120,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 4,
    breaker: options.breaker ?? DEFAULT_BREAKER,
  };
  const log = options.log ?? (() => undefined);
  const gates = new Map<string, ConnectionGate>();
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  let passes: Periodic | null = null;

  const gateFor = (providerId: string, now: number) => {
    let gate = gates.get(providerId);
    if (!gate) {
      gate = new ConnectionGate({ concurrency: settings.concurrency, perMinute: settings.perMinute, breaker: settings.breaker }, now);
      gates.set(providerId, gate);
    }
    return gate;
  };

  async function run(work: Work, gate: ConnectionGate, now: Date): Promise<void> {
    try {
      const { timeoutMs, maxAttempts } = settings;
      const result = await attemptEvaluation(db, work, { timeoutMs, maxAttempts, signal: stopping.signal, random: options.random });
      if (result.kind === "done" || result.kind === "unreadable") gate.breaker.succeeded();
      if (result.kind === "done" && result.rolloutId) options.onScored?.([result.rolloutId]);
      // The breaker keeps the pass's clock, so a cooldown is measured as the passes see time.
      if (result.kind === "provider_failed" && gate.breaker.failed(now.getTime())) {
        const until = gate.breaker.reopensAt;
        const when = until ? new Date(until).toISOString() : "later";
        log(`evaluators: connection ${work.providerId} keeps failing; no calls to it until ${when} (circuit breaker open)`);
      }
    } catch (error) {
      log(`evaluators: evaluation ${work.id} failed (${firstLine(error)}); it is tried again when its lease runs out`);
    } finally {
      gate.finish();
    }
  }

  /** Claims and starts what each connection has room for; the calls go on in the background. */
  async function dispatch(now: Date): Promise<{ started: number; calls: Promise<void>[] }> {
    const calls: Promise<void>[] = [];
    for (const providerId of await connectionsWithDueWork(db.prisma, now)) {
      const gate = gateFor(providerId, now.getTime());
      const free = gate.free(now.getTime());
      if (free <= 0 || stopping.signal.aborted) continue;
      const leaseUntil = new Date(now.getTime() + settings.timeoutMs * 2 + 60_000);
      const ids = await db.prisma.$transaction(async (tx) => {
        const claimed = (await claimDueEvaluations(tx, providerId, now, free)).map((row) => row.id);
        if (claimed.length) await leaseEvaluations(tx, claimed, leaseUntil);
        return claimed;
      });
      if (!ids.length) continue;
      for (const work of await loadWork(db.prisma, ids)) {
        gate.start(now.getTime());
        const call = run(work, gate, now);
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
        calls.push(call);
      }
    }
    return { started: calls.length, calls };
  }

  async function pass(now: Date) {
    const queued = await samplePass(db.prisma, now);
    const { started, calls } = await dispatch(now);
    return { queued, started, calls };
  }

  return {
    async runOnce(now = new Date()) {
      const { queued, started, calls } = await pass(now);
      await Promise.all(calls);
      return { queued, started };
    },
    start(intervalMs) {
      passes = runPeriodically(() => pass(new Date()), intervalMs, (error) => log(`evaluators: pass failed (${firstLine(error)})`));
    },
    async stop() {
      stopping.abort();
      await passes?.stop();
      await Promise.all([...inFlight]);
    },
    connections() {
      return [...gates].map(([providerId, gate]) => ({
        providerId,
        breaker: gate.breaker.state,
        inFlight: gate.inFlight,
        reopensAt: gate.breaker.reopensAt === null ? null : new Date(gate.breaker.reopensAt),
      }));
    },
  };
}

/** An error's first line, never its stack or a query's parameters. */
function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0].slice(0, 300) : String(error).slice(0, 300);
}
