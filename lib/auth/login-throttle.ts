// Sign-in attempts are limited per account and per client address: after too many failures in
// a window, further attempts are refused (even with the right password) until the oldest failure
// leaves the window. Failures are counted, not successes; a success clears the account's count.
// In memory, per instance: N instances behind a load balancer allow up to N× the attempts,
// which still stops password guessing at any useful rate. Changing a password counts a wrong
// current password as a failure too (lib/auth/user-service.ts changePassword), in the same counts:
// a stolen session gets no guesses beyond what the sign-in form would give.

export interface ThrottleRule {
  max: number;
  windowMs: number;
}

export const ACCOUNT_RULE: ThrottleRule = { max: 5, windowMs: 15 * 60_000 };
export const ADDRESS_RULE: ThrottleRule = { max: 20, windowMs: 15 * 60_000 };

export type BlockedVerdict = { allowed: false; scope: "account" | "address"; retryAfterSec: number };
export type ThrottleVerdict = { allowed: true } | BlockedVerdict;

export class LoginThrottle {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly account = ACCOUNT_RULE,
    private readonly address = ADDRESS_RULE,
  ) {}

  check(email: string, ip: string, now = Date.now()): ThrottleVerdict {
    for (const [scope, key, rule] of [["account", `a:${email.toLowerCase()}`, this.account], ["address", `i:${ip}`, this.address]] as const) {
      const recent = this.recent(key, rule, now);
      if (recent.length >= rule.max) return { allowed: false, scope, retryAfterSec: Math.ceil((recent[0] + rule.windowMs - now) / 1000) };
    }
    return { allowed: true };
  }

  fail(email: string, ip: string, now = Date.now()): void {
    for (const [key, rule] of [[`a:${email.toLowerCase()}`, this.account], [`i:${ip}`, this.address]] as const) {
      this.failures.set(key, [...this.recent(key, rule, now), now]);
    }
  }

  succeed(email: string): void {
    this.failures.delete(`a:${email.toLowerCase()}`);
  }

  private recent(key: string, rule: ThrottleRule, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => at > now - rule.windowMs);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }
}

const registry = globalThis as unknown as { llmCanaryLoginThrottle?: LoginThrottle };

/** The one throttle of this process (on globalThis: the server and Next's bundle may load this module twice). */
export function loginThrottle(): LoginThrottle {
  registry.llmCanaryLoginThrottle ??= new LoginThrottle();
  return registry.llmCanaryLoginThrottle;
}

/** `failures`: what was counted, as the person reads it ("failed sign-ins", "wrong current passwords"). */
export function throttleMessage(verdict: BlockedVerdict, failures = "failed sign-ins"): string {
  const minutes = Math.max(1, Math.ceil(verdict.retryAfterSec / 60));
  const what = verdict.scope === "account" ? "this account" : "your network address";
  return `Too many ${failures} for ${what}; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
