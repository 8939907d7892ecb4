// The sticky router: which variant a user gets. Pure: no I/O, no Node APIs, so the server and
// SDKs in any language compute identical answers.
//
// bucket(salt, userId) = murmur3_x86_32(utf8(`${salt}:${userId}`), seed 0) mod 10000
// canary  iff  bucket < round(percent × 100)            (percent 0..100, 0.01 % resolution)
//
// The salt is per rollout, so each rollout exposes a different slice of users, and constant
// within it, so raising the percentage keeps everyone already on canary there. murmur3 is the
// hash Unleash and most feature-flag SDKs already ship; 2^32 mod 10000 leaves a bias under 1e-6.
// Golden values in tests/unit/router.test.ts pin it.

export type Variant = "stable" | "canary";

export interface RoutingRollout {
  salt: string;
  percent: number; // 0..100
  sticky: boolean;
  include: readonly string[]; // non-empty: only these users get the canary
  exclude: readonly string[]; // always stable
}

export interface RoutingDecision {
  variant: Variant;
  /** The user's bucket 0..9999, or null when no bucket was needed (lists, no rollout). */
  bucket: number | null;
  reason: "no_rollout" | "excluded" | "included" | "not_included" | "bucket" | "random";
}

export const BUCKETS = 10_000;

/** The router's view of a rollout: null unless it is running or paused (then everyone is on stable). */
export function routingRolloutOf(
  rollout: { status: string; salt: string; percent: number; sticky: boolean; include: readonly string[]; exclude: readonly string[] } | null,
): RoutingRollout | null {
  if (!rollout || (rollout.status !== "running" && rollout.status !== "paused")) return null;
  return { salt: rollout.salt, percent: rollout.percent, sticky: rollout.sticky, include: rollout.include, exclude: rollout.exclude };
}

export function bucketOf(salt: string, userId: string): number {
  return murmur3(utf8(`${salt}:${userId}`), 0) % BUCKETS;
}

export function canaryThreshold(percent: number): number {
  return Math.round(Math.min(100, Math.max(0, percent)) * 100);
}

/**
 * `rollout` is the config's active rollout (running or paused), or null: after a rollback or
 * abort, or with no rollout, everyone gets stable. `random` supplies draws in [0, 1) for
 * non-sticky rollouts.
 */
export function route(
  userId: string,
  rollout: RoutingRollout | null,
  random: () => number = Math.random,
): RoutingDecision {
  if (!rollout) return { variant: "stable", bucket: null, reason: "no_rollout" };
  if (rollout.exclude.includes(userId)) return { variant: "stable", bucket: null, reason: "excluded" };
  if (rollout.include.length > 0) {
    return rollout.include.includes(userId)
      ? { variant: "canary", bucket: null, reason: "included" }
      : { variant: "stable", bucket: null, reason: "not_included" };
  }
  const bucket = rollout.sticky ? bucketOf(rollout.salt, userId) : Math.floor(random() * BUCKETS);
  return {
    variant: bucket < canaryThreshold(rollout.percent) ? "canary" : "stable",
    bucket,
    reason: rollout.sticky ? "bucket" : "random",
  };
}

/** The version a decision selects: the canary only when there is one, stable otherwise. */
export function pickVersion<V>(decision: RoutingDecision, stable: V, canary: V | null): { variant: Variant; version: V } {
  return decision.variant === "canary" && canary !== null ? { variant: "canary", version: canary } : { variant: "stable", version: stable };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** MurmurHash3 x86 32-bit (Austin Appleby's reference), as an unsigned 32-bit integer. */
export function murmur3(data: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = data.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i << 2;
    let k = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks << 2;
  const rest = data.length & 3;
  if (rest > 0) {
    let k = data[tail];
    if (rest >= 2) k ^= data[tail + 1] << 8;
    if (rest === 3) k ^= data[tail + 2] << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
