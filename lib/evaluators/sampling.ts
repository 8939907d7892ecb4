// Which outcomes an evaluator evaluates (pure). Per minute of the outcomes' time:
//   1. every outcome is drawn with probability `sampleRate` (a deterministic draw per outcome, so
//      looking at the same outcomes again chooses the same ones);
//   2. canary outcomes come first: if fewer than `minPerMinute` canary outcomes of the minute are
//      chosen (counting those chosen in earlier passes), more canary outcomes are added, oldest
//      first, until there are that many or none are left: a 1 % canary at a 10 % rate would see
//      one evaluation in a thousand requests otherwise;
//   3. at most `maxPerMinute` per minute in all, canary ones taken before stable ones.

export interface Candidate {
  id: string;
  variant: "stable" | "canary";
  /** The start of the outcome's minute, in ms. */
  minute: number;
}

export interface SamplingRule {
  sampleRate: number;
  minPerMinute: number;
  maxPerMinute: number;
}

/** Already chosen in a minute by earlier passes. */
export interface MinuteCount {
  canary: number;
  total: number;
}

/**
 * The candidates to evaluate, in the order given (oldest first). `draw(id)` is the outcome's
 * uniform draw in [0, 1); `already` what earlier passes chose per minute.
 */
export function chooseOutcomes(
  candidates: readonly Candidate[],
  rule: SamplingRule,
  already: ReadonlyMap<number, MinuteCount>,
  draw: (id: string) => number,
): Candidate[] {
  const byMinute = new Map<number, Candidate[]>();
  for (const c of candidates) {
    const list = byMinute.get(c.minute);
    if (list) list.push(c);
    else byMinute.set(c.minute, [c]);
  }
  const chosen = new Set<Candidate>();
  for (const [minute, list] of byMinute) {
    const before = already.get(minute) ?? { canary: 0, total: 0 };
    let budget = Math.max(0, rule.maxPerMinute - before.total);
    const canary = list.filter((c) => c.variant === "canary");
    const drawn = canary.filter((c) => draw(c.id) < rule.sampleRate);
    const wanted = Math.max(0, rule.minPerMinute - before.canary - drawn.length);
    const topUp = canary.filter((c) => !drawn.includes(c)).slice(0, wanted);
    const canaryChosen = new Set([...drawn, ...topUp]);
    for (const c of canary) {
      if (budget > 0 && canaryChosen.has(c)) {
        chosen.add(c);
        budget--;
      }
    }
    for (const c of list) {
      if (budget > 0 && c.variant === "stable" && draw(c.id) < rule.sampleRate) {
        chosen.add(c);
        budget--;
      }
    }
  }
  return candidates.filter((c) => chosen.has(c));
}
