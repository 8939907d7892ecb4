import { THRESHOLD_FIELDS, type ThresholdName } from "../guardrails/registry";
import { DEFAULT_STAGES } from "../release/rollout-schemas";
import { numberOrText } from "./number-or-text";

// The start-canary dialog's form state and the request body it becomes. Durations are edited
// in minutes (what people think in) and sent in seconds; user lists are one id per line.
// Validation stays on the server: the dialog shows its messages next to the fields.

export interface StageRow {
  percent: string;
  minutes: string;
  minSamples: string;
}

export interface ScoreThresholdRow {
  form: "difference" | "ratio";
  value: string;
}

export interface CanaryForm {
  canaryVersionId: string;
  stages: StageRow[];
  /** The built-in thresholds (lib/guardrails/registry.ts) as typed. */
  thresholds: Record<ThresholdName, string>;
  /**
   * Thresholds of guardrail scores the person changed, by key; the others are sent as nothing,
   * and the server copies each score's own (lib/release/score-thresholds.ts).
   */
  scores: Record<string, ScoreThresholdRow>;
  include: string;
  exclude: string;
  sticky: boolean;
  autoPromote: boolean;
}

/**
 * The dialog's labels by API path, for the fields and for the server's messages about them
 * (lib/query/error-text.ts): the guardrails' come from the registry, as the fields do.
 */
export const CANARY_LABELS: Readonly<Record<string, string>> = {
  canaryVersionId: "Canary version",
  stages: "Stages",
  "stages.*": "Stage {1}",
  "stages.*.percent": "Stage {1} percent",
  "stages.*.minDurationSec": "Stage {1} minimum duration",
  "stages.*.minSamples": "Stage {1} minimum samples",
  thresholds: "Guardrails",
  ...Object.fromEntries(THRESHOLD_FIELDS.map((f) => [`thresholds.${f.name}`, f.label])),
  "thresholds.scores": "Custom score guardrails",
  include: "Always canary (user ids)",
  "include.*": "Always-canary user {1}",
  exclude: "Never canary (user ids)",
  "exclude.*": "Never-canary user {1}",
  sticky: "Sticky",
  autoPromote: "Auto-promote",
};

/** CANARY_LABELS with the config's guardrail scores, each named as its threshold field is. */
export function canaryLabels(scores: readonly { key: string; label: string }[]): Readonly<Record<string, string>> {
  return { ...CANARY_LABELS, ...Object.fromEntries(scores.map((s) => [`thresholds.scores.${s.key}`, scoreThresholdLabel(s)])) };
}

export const scoreThresholdLabel = (score: { key: string; label: string }) => `${score.label} (${score.key})`;

export function defaultCanaryForm(canaryVersionId: string): CanaryForm {
  return {
    canaryVersionId,
    stages: DEFAULT_STAGES.map((s) => ({ percent: String(s.percent), minutes: String(s.minDurationSec / 60), minSamples: String(s.minSamples) })),
    thresholds: Object.fromEntries(THRESHOLD_FIELDS.map((f) => [f.name, String(f.default)])) as CanaryForm["thresholds"],
    scores: {},
    include: "",
    exclude: "",
    sticky: true,
    autoPromote: false,
  };
}

function lines(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function canaryRequestBody(form: CanaryForm, revision: number) {
  return {
    canaryVersionId: form.canaryVersionId,
    stages: form.stages.map((s) => {
      const minutes = numberOrText(s.minutes);
      return { percent: numberOrText(s.percent), minDurationSec: typeof minutes === "number" ? Math.round(minutes * 60) : minutes, minSamples: numberOrText(s.minSamples) };
    }),
    thresholds: {
      ...Object.fromEntries(Object.entries(form.thresholds).map(([k, v]) => [k, numberOrText(v)])),
      scores: Object.fromEntries(Object.entries(form.scores).map(([k, row]) => [k, { form: row.form, value: numberOrText(row.value) }])),
    },
    include: lines(form.include),
    exclude: lines(form.exclude),
    sticky: form.sticky,
    autoPromote: form.autoPromote,
    revision,
  };
}
