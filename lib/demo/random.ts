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

/**
 * A beta-distributed draw with the given mean and sd, by inverting its distribution function: one
 * uniform number per draw (drawing two gammas instead made the simulation twice as slow).
 */
export function beta(random: Random, mean: number, sd: number): number {
  const table = betaQuantiles(mean, sd);
  const at = random() * (table.length - 1);
  const k = Math.floor(at);
  return k >= table.length - 1 ? table[k] : table[k] + (at - k) * (table[k + 1] - table[k]);
}

const QUANTILE_STEPS = 4096;
const quantileTables = new Map<string, Float64Array>();

/** QUANTILE_STEPS + 1 evenly spaced quantiles of the beta distribution, from its density summed on a fine grid. */
function betaQuantiles(mean: number, sd: number): Float64Array {
  const key = `${mean}:${sd}`;
  const known = quantileTables.get(key);
  if (known) return known;
  const total = (mean * (1 - mean)) / (sd * sd) - 1;
  const [a, b] = [mean * total, (1 - mean) * total];
  const grid = 1 << 16;
  const cdf = new Float64Array(grid + 1);
  const density = (x: number) => Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x));
  for (let i = 1; i <= grid; i++) cdf[i] = cdf[i - 1] + density((i - 0.5) / grid);
  const table = new Float64Array(QUANTILE_STEPS + 1);
  let i = 0;
  for (let q = 0; q <= QUANTILE_STEPS; q++) {
    const target = (q / QUANTILE_STEPS) * cdf[grid];
    while (i < grid && cdf[i + 1] < target) i++;
    const step = cdf[i + 1] - cdf[i];
    table[q] = Math.min(1, (i + (step > 0 ? (target - cdf[i]) / step : 0)) / grid);
  }
  quantileTables.set(key, table);
  return table;
}
