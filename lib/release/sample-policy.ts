import { z } from "zod";

// A config's sample policy: which outcomes keep their input and output samples. One setting for
// every way outcomes arrive — events sent to /api/metrics (ingest drops the samples the policy does
// not keep) and gateway calls (the gateway captures samples only when the policy may keep them).
// Pure, and imported by ingest, the gateway, the admin API and the console alike.

export const SAMPLE_POLICIES = ["all", "fraction", "errors_and_low_ratings", "none"] as const;
export type SamplePolicyKeep = (typeof SAMPLE_POLICIES)[number];

/** A rating at or below this is low: under `errors_and_low_ratings` its outcome keeps its samples. */
export const LOW_RATING = 2;

export interface SamplePolicy {
  keep: SamplePolicyKeep;
  /** `fraction` only: the share of requests (0 < f < 1) that keep their samples; null otherwise. */
  fraction: number | null;
}

const KEEP_DESCRIPTION = [
  "`all`: every outcome keeps the samples it carries",
  "`fraction`: that share of requests, chosen by a hash of the request id (the same on every instance and for a resent event)",
  `\`errors_and_low_ratings\`: outcomes that are errors or carry a rating of ${LOW_RATING} or less when reported (a rating sent later finds no sample)`,
  "`none`: no samples",
].join("; ");

export const SamplePolicyDto = z
  .object({
    keep: z.enum(SAMPLE_POLICIES).describe(KEEP_DESCRIPTION),
    fraction: z.number().nullable().describe("with `fraction`: the share (more than 0, less than 1); null otherwise"),
  })
  .describe("which outcomes keep their input and output samples, sent to /api/metrics or recorded by the gateway alike");

const FRACTION_RANGE = "must be more than 0 and less than 1 (keep `all` or `none` for 1 or 0)";

export const SamplePolicyInput = z
  .object({
    keep: z.enum(SAMPLE_POLICIES, { error: `must be one of ${SAMPLE_POLICIES.join(", ")}` }).describe(KEEP_DESCRIPTION),
    fraction: z
      .number(FRACTION_RANGE)
      .gt(0, FRACTION_RANGE)
      .lt(1, FRACTION_RANGE)
      .optional()
      .describe("required with `fraction`, and only then: the share of requests whose samples are kept"),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.keep === "fraction" && policy.fraction === undefined) {
      ctx.addIssue({ code: "custom", path: ["fraction"], message: "is required when `keep` is `fraction`: the share of requests to keep, like 0.1" });
    }
    if (policy.keep !== "fraction" && policy.fraction !== undefined) {
      ctx.addIssue({ code: "custom", path: ["fraction"], message: `is only for \`keep: "fraction"\`; with \`${policy.keep}\` leave it out` });
    }
  })
  .transform((policy): SamplePolicy => ({ keep: policy.keep, fraction: policy.fraction ?? null }));

/**
 * The request's draw in [0, 1), from FNV-1a (32 bits) of its id, its bits mixed by MurmurHash3's
 * finalizer (FNV alone leaves the high bits of ids that differ in their last characters uneven):
 * ingest and the gateway draw the same for the same request, so a sample the gateway captured is
 * one ingest keeps, and a resent event is kept or not as it was the first time. Cheap: it runs for
 * every event of a config keeping a share.
 */
export function sampleDraw(requestId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    hash ^= requestId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/** Whether an outcome keeps the samples it carries. */
export function keepsSamples(policy: SamplePolicy, requestId: string, isError: boolean, rating: number | null | undefined): boolean {
  switch (policy.keep) {
    case "all":
      return true;
    case "none":
      return false;
    case "fraction":
      return sampleDraw(requestId) < (policy.fraction ?? 0);
    case "errors_and_low_ratings":
      return isError || (rating != null && rating <= LOW_RATING);
  }
}

/** Whether a gateway call should capture its samples: before it ends, whether it fails is unknown. */
export function mayKeepSamples(policy: SamplePolicy, requestId: string): boolean {
  return policy.keep === "errors_and_low_ratings" || keepsSamples(policy, requestId, false, null);
}

/** The policy as a sentence (without its full stop). */
export function samplePolicyText(policy: SamplePolicy): string {
  switch (policy.keep) {
    case "all":
      return "Samples are kept for every request";
    case "none":
      return "No samples are kept";
    case "fraction":
      return `Samples are kept for ${Number(((policy.fraction ?? 0) * 100).toPrecision(4))} % of requests, chosen by request id`;
    case "errors_and_low_ratings":
      return `Samples are kept for errors and for requests rated ${LOW_RATING} or less when reported`;
  }
}
