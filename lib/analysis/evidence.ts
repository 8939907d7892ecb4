import { ERROR_BUDGET } from "./sprt";

// How a verdict's sentence words its evidence: the likelihood ratio of the two hypotheses the
// guardrail tests, as odds, and where that stands against the bounds that decide. The ratio is
// not a probability that the canary is worse: it says how much better "worse by the threshold"
// explains the canary's data than "no worse" does (or the other way round), and the rules are
// that 1/α : 1 for "worse" rolls back and 1/β : 1 for "no worse" passes.

export type EvidenceState = "fail" | "pass" | "warning" | "undecided";

const ROLLBACK_ODDS = Math.round(1 / ERROR_BUDGET.alpha);
const PASS_ODDS = Math.round(1 / ERROR_BUDGET.beta);

/** e^llr as "2,345 : 1" (floored, so a fail never reads as less than the 400 it needs to be). */
export function odds(llr: number): string {
  const ratio = Math.exp(llr) * (1 + 1e-9); // e^ln(20) is 19.999…: not to be floored to 19

  if (!Number.isFinite(ratio) || ratio >= 1e6) return "over 1,000,000 : 1";
  if (ratio < 10) return `${(Math.floor(ratio * 10) / 10).toFixed(1)} : 1`;
  return `${Math.floor(ratio).toLocaleString("en-US")} : 1`;
}

/**
 * "the evidence for 'worse by the allowed drop' over 'no worse' is 1,234 : 1, past the 400 : 1 that
 * rolls back". `worse` names the guardrail's H1 in an operator's words.
 */
export function evidenceClause(state: EvidenceState, llr: number, worse: string): string {
  const forWorse = `the evidence for '${worse}' over 'no worse' is ${odds(llr)}`;
  const forNoWorse = `the evidence for 'no worse' over '${worse}' is ${odds(-llr)}`;
  switch (state) {
    case "fail":
      return `${forWorse}, past the ${ROLLBACK_ODDS} : 1 that rolls back`;
    case "pass":
      return `${forNoWorse}, past the ${PASS_ODDS} : 1 that passes`;
    case "warning":
      return `${forWorse}, heading for the ${ROLLBACK_ODDS} : 1 that rolls back`;
    case "undecided":
      return `${llr >= 0 ? forWorse : forNoWorse}, not enough to decide (${ROLLBACK_ODDS} : 1 for 'worse' rolls back, ${PASS_ODDS} : 1 for 'no worse' passes)`;
  }
}

/** Where the canary's estimate stands against the limit: beyond it in the harmful direction, at it, or within it. */
export function pastOrWithin(canary: number, limit: number, higherIsWorse: boolean): "past" | "at" | "within" {
  if (Math.abs(canary - limit) <= 1e-9 * Math.max(Math.abs(canary), Math.abs(limit))) return "at";
  return (higherIsWorse ? canary > limit : canary < limit) ? "past" : "within";
}
