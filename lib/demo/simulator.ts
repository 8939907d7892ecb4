import { createClient, type CanaryClient, type CanaryError, type DeliveryStats, type RoutedAnswer, type ScoreDeliveryStats } from "../sdk/client";
import { rng, type Random } from "./random";
import { drawOutcome, profileProblem, requestsDue, userPool, type ScoreValues, type VariantProfile } from "./traffic-model";

// Simulated users of a client app, driving the real client API over HTTP through the SDK, as a
// client app would: route a user, "call the LLM" (draw the outcome from the profile of the
// variant the answer names), report the outcome with the custom scores known at once, and later
// send the scores an evaluator gives (score()) and sometimes a rating (feedback()).
// It never touches the database, so whatever it causes (rollups, charts, the controller's
// verdicts) happens exactly as it would for real traffic. Used by `npm run demo` and by tests
// that need charts to move while a browser watches.

export interface ConfigTraffic {
  /** The config key, e.g. `support-chat`. */
  config: string;
  requestsPerSecond: number;
  /** How requests routed to each variant turn out. */
  stable: VariantProfile;
  canary: VariantProfile;
  /** Sample user messages sent as the outcome's `input` (one drawn per request). */
  inputs?: readonly string[];
}

export interface SimulatorOptions {
  baseUrl: string;
  /** An API key with the `route` and `metrics` scopes. */
  apiKey: string;
  traffic: readonly ConfigTraffic[];
  /** Distinct users, routed stickily. Default 1000. */
  users?: number;
  /** Default 1: the same seed draws the same users and outcomes (in order of the route answers). */
  seed?: number;
  /** A late rating or late scores are sent this long after their request, drawn uniformly. Default 2-8 s. */
  feedbackDelayMs?: { min: number; max: number };
  /** Requests (route calls and ratings) in flight at once; more due are skipped and counted. Default 200. */
  maxInFlight?: number;
  /** How often the pacing timer runs. Default 50 ms. */
  tickMs?: number;
  /** How often the SDK sends buffered outcomes. Default 500 ms: charts move quickly. */
  flushIntervalMs?: number;
  /** Hears every failure (route refused, outcome refused or given up, rating refused). Default: kept as `lastError`. */
  onError?: (error: Error) => void;
  fetch?: typeof fetch;
}

export interface ConfigCounters {
  /** Route calls made. */
  sent: number;
  /** Route answers per variant. */
  stable: number;
  canary: number;
  /** Route calls that failed. */
  failed: number;
}

export interface SimulatorCounters {
  /** Route calls made. */
  sent: number;
  /** Outcomes handed to the SDK (`report()` took them). */
  reported: number;
  /** Late ratings the server took. */
  feedback: number;
  /** Late scores handed to the SDK (`score()` took them); `scoreDelivery` says what the server took. */
  lateScores: number;
  /** Failed route calls, refused outcomes, refused ratings and late scores `score()` refused. */
  failed: number;
  /** Due requests not sent because `maxInFlight` were still open (the server is slower than the rate). */
  skipped: number;
  byConfig: Record<string, ConfigCounters>;
  /** The SDK's own delivery counters: outcomes delivered, buffered, given up. */
  delivery: DeliveryStats;
  /** The same for late scores. */
  scoreDelivery: ScoreDeliveryStats;
  lastError: string | null;
}

export interface Simulator {
  /** Starts sending (again, after stop(): counters carry on, the rate counts from now). */
  start(): void;
  /** Stops sending, waits for open requests, drops pending late ratings and scores, and flushes the SDK's buffers. Resolves with the final counters. */
  stop(): Promise<SimulatorCounters>;
  counters(): SimulatorCounters;
  readonly running: boolean;
}

export function createSimulator(options: SimulatorOptions): Simulator {
  for (const traffic of options.traffic) {
    for (const variant of ["stable", "canary"] as const) {
      const problem = profileProblem(traffic[variant]);
      if (problem) throw new RangeError(`createSimulator: ${traffic.config}.${variant}: ${problem}.`);
    }
    if (!(traffic.requestsPerSecond >= 0)) throw new RangeError(`createSimulator: ${traffic.config}.requestsPerSecond must not be negative.`);
  }
  const random: Random = rng(options.seed ?? 1);
  const users = userPool(random, options.users ?? 1000);
  const feedbackDelay = options.feedbackDelayMs ?? { min: 2_000, max: 8_000 };
  const maxInFlight = options.maxInFlight ?? 200;
  const counters = {
    sent: 0,
    reported: 0,
    feedback: 0,
    lateScores: 0,
    failed: 0,
    skipped: 0,
    lastError: null as string | null,
    byConfig: Object.fromEntries(options.traffic.map((t) => [t.config, { sent: 0, stable: 0, canary: 0, failed: 0 }])) as Record<string, ConfigCounters>,
  };
  const fail = (error: unknown) => {
    counters.failed++;
    noteError(error);
  };
  const noteError = (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    counters.lastError = err.message;
    options.onError?.(err);
  };

  const client: CanaryClient = createClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    fetch: options.fetch,
    flushIntervalMs: options.flushIntervalMs ?? 500,
    flushOnExit: false,
    // Outcomes the SDK gave up on are in its `delivery.failed`; here only the message is kept.
    onError: (error: CanaryError) => noteError(error),
  });

  const open = new Set<Promise<void>>();
  const lateTimers = new Set<NodeJS.Timeout>();
  let timer: NodeJS.Timeout | null = null;
  let startedAt = 0;
  let issued: number[] = [];

  const track = (work: Promise<void>) => {
    const settled: Promise<void> = work.catch(fail).finally(() => open.delete(settled));
    open.add(settled);
  };

  async function one(traffic: ConfigTraffic): Promise<void> {
    const mine = counters.byConfig[traffic.config];
    const userId = users[Math.floor(random() * users.length)];
    counters.sent++;
    mine.sent++;
    const input = traffic.inputs?.length ? traffic.inputs[Math.floor(random() * traffic.inputs.length)] : null;
    let answer;
    try {
      // The demo's versions are templates with a `question` variable: the answer renders it.
      answer = await client.route(traffic.config, userId, input ? { variables: { question: input } } : {});
    } catch (error) {
      mine.failed++;
      return fail(error);
    }
    if (answer.versionId === null) return fail(new Error(`No version served ${traffic.config}: nothing to report.`));
    mine[answer.variant]++;
    const outcome = drawOutcome(random, answer.variant === "canary" ? traffic.canary : traffic.stable);
    const accepted = client.report({
      requestId: answer.requestId,
      config: answer.config,
      versionId: answer.versionId,
      rolloutId: answer.rolloutId,
      isError: outcome.isError,
      errorType: outcome.errorType,
      latencyMs: outcome.latencyMs,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      costUsd: outcome.costUsd,
      rating: outcome.rating,
      scores: outcome.scores,
      input,
      output: input && !outcome.isError ? simulatedAnswer(answer, input) : null,
    });
    if (!accepted) return void counters.failed++;
    counters.reported++;
    if (outcome.lateRating !== null) later(() => sendRating(answer.requestId, answer.config, outcome.lateRating!));
    if (outcome.lateScores !== null) later(() => sendScores(answer.requestId, answer.config, outcome.lateScores!));
  }

  /** Runs `send` after a feedback delay, unless the simulator stops first (then it is dropped). */
  function later(send: () => void): void {
    if (!timer) return;
    const delay = feedbackDelay.min + random() * Math.max(0, feedbackDelay.max - feedbackDelay.min);
    const handle = setTimeout(() => {
      lateTimers.delete(handle);
      if (timer) send();
    }, delay);
    lateTimers.add(handle);
  }

  function sendRating(requestId: string, config: string, rating: number): void {
    if (open.size >= maxInFlight) return void counters.skipped++;
    track(
      client.feedback(requestId, rating, rating <= 2 ? "The answer did not help." : undefined, { config }).then(
        () => void counters.feedback++,
        fail,
      ),
    );
  }

  /** Queued in the SDK, which sends them in batches after the outcomes (and retries a 404 until the outcome is stored). */
  function sendScores(requestId: string, config: string, scores: ScoreValues): void {
    if (client.score(requestId, scores, { config })) counters.lateScores++;
    else counters.failed++; // onError heard why
  }

  function tick(): void {
    const elapsed = Date.now() - startedAt;
    options.traffic.forEach((traffic, i) => {
      // At most a second's worth at once: after a stall (a busy event loop), do not flood.
      const due = requestsDue(traffic.requestsPerSecond, elapsed, issued[i], Math.max(1, Math.ceil(traffic.requestsPerSecond)));
      issued[i] += due;
      for (let n = 0; n < due; n++) {
        if (open.size >= maxInFlight) counters.skipped++;
        else track(one(traffic));
      }
    });
  }

  const snapshot = (): SimulatorCounters => ({
    ...counters,
    byConfig: Object.fromEntries(Object.entries(counters.byConfig).map(([k, v]) => [k, { ...v }])),
    delivery: client.stats(),
    scoreDelivery: client.scoreStats(),
  });

  return {
    start() {
      if (timer) return;
      startedAt = Date.now();
      issued = options.traffic.map(() => 0);
      timer = setInterval(tick, options.tickMs ?? 50);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      for (const handle of lateTimers) clearTimeout(handle);
      lateTimers.clear();
      while (open.size) await Promise.all([...open]);
      await client.flush();
      return snapshot();
    },
    counters: snapshot,
    get running() {
      return timer !== null;
    },
  };
}

/** What the "LLM" answered, as the outcome's `output` sample: marked as simulated, naming the version. */
function simulatedAnswer(answer: RoutedAnswer, input: string): string {
  return `[simulated answer from ${answer.versionLabel} (${answer.llm.model}) to: "${input.slice(0, 80)}"]`;
}
