import { formatInterval } from "../analysis/format-value";
import type { IntervalDto } from "../analysis/report-schemas";
import type { MetricUnit } from "../guardrails/registry";
import { counted, singularOf } from "../plural";

// An estimate with its 95 % interval as the rollout page writes it: "899 ms (885 ms–914 ms)", with
// the digits the ends need to differ. An interval without width says why instead of printing a
// range whose ends are equal: "$0.00310 (exact: all 412 costed requests the same)". Pure.

/**
 * The cell for an estimate resting on `count` samples of the metric, called `samples` ("requests",
 * "costed requests", "ratings"); with `withCount`, the count follows in parentheses.
 */
export function intervalText(i: IntervalDto | null | undefined, unit: MetricUnit, count: number | null, samples: string, withCount = false): string {
  const what = count === null ? samples : counted(count, singularOf(samples), samples);
  const suffix = withCount && count !== null ? ` (${what})` : "";
  if (!i) return `—${suffix}`;
  const text = formatInterval(i, unit);
  if (!text.same) return `${text.value} (${text.low}–${text.high})${suffix}`;
  if (i.zeroWidth === "all_same") return `${text.value} (exact: all ${what} the same)`;
  if (i.zeroWidth === "one_sample") return `${text.value} (one ${singularOf(samples)}: no interval yet)`;
  // From a server that did not say why (or ends a hair apart): no width was measured.
  return `${text.value} (no spread measured)${suffix}`;
}
