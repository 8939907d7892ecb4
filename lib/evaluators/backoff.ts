// The limits one instance keeps per provider connection (pure, clock passed in): retries with
// exponential backoff, a circuit breaker, and a gate of concurrency and calls per minute.

/** The pause before attempt `attempts + 1`: 2 s, 4 s, 8 s … capped at 5 min, ±20 % jitter so instances drift apart. */
export function evaluationRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 2_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Consecutive failed calls that open it. */
  failureThreshold: number;
  /** How long it stays open the first time; doubled each time it opens again without a success between, up to maxCooldownMs. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, cooldownMs: 30_000, maxCooldownMs: 300_000 };

/**
 * Closed: calls go. After `failureThreshold` failures in a row it opens: no calls until the
 * cooldown is over; then half open: one trial call, whose success closes it and whose failure
 * opens it again for twice as long.
 */
export class CircuitBreaker {
  private failures = 0;
  private opens = 0;
  private openUntil = 0;
  private trialInFlight = false;
  state: BreakerState = "closed";

  constructor(private readonly options: BreakerOptions = DEFAULT_BREAKER) {}

  /** How many calls may start now (0, 1 in half open, or Infinity). */
  allowance(now: number): number {
    if (this.state === "open" && now >= this.openUntil) this.state = "half_open";
    if (this.state === "closed") return Infinity;
    if (this.state === "half_open") return this.trialInFlight ? 0 : 1;
    return 0;
  }

  started(): void {
    if (this.state === "half_open") this.trialInFlight = true;
  }

  succeeded(): void {
    this.failures = 0;
    this.opens = 0;
    this.trialInFlight = false;
    this.state = "closed";
  }

  /** Records a failure; true when it (re)opened the breaker. */
  failed(now: number): boolean {
    this.failures++;
    const wasTrial = this.state === "half_open";
    this.trialInFlight = false;
    if (!wasTrial && (this.state === "open" || this.failures < this.options.failureThreshold)) return false;
    this.opens++;
    this.state = "open";
    this.openUntil = now + this.cooldownFor(this.opens);
    return true;
  }

  /** When an open breaker lets a trial call through. */
  get reopensAt(): number | null {
    return this.state === "open" ? this.openUntil : null;
  }

  private cooldownFor(opens: number): number {
    return Math.min(this.options.maxCooldownMs, this.options.cooldownMs * 2 ** (opens - 1));
  }
}

export interface GateOptions {
  /** Calls at once. */
  concurrency: number;
  /** Calls started per minute (a token bucket of that size, refilled evenly). */
  perMinute: number;
  breaker?: BreakerOptions;
}

/** One connection's limits on this instance: concurrency, calls per minute, and its breaker. */
export class ConnectionGate {
  readonly breaker: CircuitBreaker;
  inFlight = 0;
  private tokens: number;
  private refilledAt: number;

  constructor(private readonly options: GateOptions, now: number) {
    this.breaker = new CircuitBreaker(options.breaker);
    this.tokens = options.perMinute;
    this.refilledAt = now;
  }

  /** How many calls may start now. */
  free(now: number): number {
    this.refill(now);
    const byBreaker = this.breaker.allowance(now);
    return Math.max(0, Math.min(this.options.concurrency - this.inFlight, Math.floor(this.tokens), byBreaker));
  }

  start(now: number): void {
    this.refill(now);
    this.tokens -= 1;
    this.inFlight++;
    this.breaker.started();
  }

  finish(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.options.perMinute, this.tokens + (elapsed * this.options.perMinute) / 60_000);
    this.refilledAt = now;
  }
}
