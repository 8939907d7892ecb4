// Seeded randomness for simulated traffic (the demo's simulator and the judge's simulation
// tests): the same seed gives the same stream on every run. Pure: no I/O, no Math.random.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: small, fast and good enough for simulation (not for secrets). */
export function rng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller); takes exactly two numbers from `random`. */
export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/**
 * An index drawn with the given probabilities (which should sum to 1; whatever is left over
 * goes to the last index). Takes exactly one number from `random`.
 */
export function drawIndex(random: Random, probabilities: readonly number[]): number {
  let u = random();
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i];
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}
