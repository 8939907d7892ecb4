import { LOW_RATING, type SamplePolicy, type SamplePolicyKeep } from "../release/sample-policy";

// The config page's sample policy (app/(console)/configs/[key]/_components/samples-section.tsx):
// what is kept, and with `fraction` the share of requests, each chosen from a list rather than
// typed, so nothing invalid can be entered; a share set through the API that is not on the list is
// offered as it is. Pure.

export const KEEP_CHOICES: readonly { value: SamplePolicyKeep; label: string }[] = [
  { value: "all", label: "Every request" },
  { value: "fraction", label: "A share of requests" },
  { value: "errors_and_low_ratings", label: `Errors and ratings of ${LOW_RATING} or less` },
  { value: "none", label: "None" },
];

export const FRACTION_CHOICES = [0.01, 0.05, 0.1, 0.25, 0.5] as const;
/** The share a switch to `fraction` starts from. */
const FIRST_FRACTION = 0.1;

/** "10 %", "33.33 %". */
export function fractionText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(4))} %`;
}

/** The shares the select offers: the list, plus the current one when it is not on it, in order. */
export function fractionOptions(current: number | null): { value: string; label: string }[] {
  const list: number[] = [...FRACTION_CHOICES];
  const shares = current === null || list.includes(current) ? list : [...list, current].sort((a, b) => a - b);
  return shares.map((share) => ({ value: String(share), label: fractionText(share) }));
}

/** The policy after choosing what to keep: `fraction` starts from the saved share, or 10 %. */
export function withKeep(saved: SamplePolicy, keep: SamplePolicyKeep): SamplePolicy {
  if (keep !== "fraction") return { keep, fraction: null };
  return { keep, fraction: saved.fraction ?? FIRST_FRACTION };
}

/** The PATCH body: `{ samplePolicy }` when it changed, else nothing. */
export function samplePolicyBody(saved: SamplePolicy, edited: SamplePolicy): { samplePolicy?: { keep: SamplePolicyKeep; fraction?: number } } {
  if (saved.keep === edited.keep && saved.fraction === edited.fraction) return {};
  return { samplePolicy: edited.keep === "fraction" ? { keep: "fraction", fraction: edited.fraction ?? FIRST_FRACTION } : { keep: edited.keep } };
}
