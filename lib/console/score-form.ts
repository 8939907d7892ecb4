import { defaultScoreThreshold, type ScoreDefinitionDto, type ScoreDirection, type ScoreKind } from "../release/score-schemas";
import { scoreThresholdWords } from "../release/score-words";
import { numberOrText } from "./number-or-text";

// The config page's score form: its state as typed, the create and change bodies it becomes, and
// the threshold it will get, in words, while it is typed. Validation stays on the server: the
// form shows its messages next to the fields. Pure.

export interface ScoreForm {
  key: string;
  label: string;
  description: string;
  kind: ScoreKind;
  min: string;
  max: string;
  direction: ScoreDirection;
  guardrail: boolean;
  /** "default": none sent, the server picks one from the kind and range (create only). */
  thresholdForm: "default" | "difference" | "ratio";
  thresholdValue: string;
}

export function emptyScoreForm(): ScoreForm {
  return { key: "", label: "", description: "", kind: "numeric", min: "0", max: "1", direction: "higher_is_better", guardrail: true, thresholdForm: "default", thresholdValue: "" };
}

/** The form for changing a score: its current values (key and kind are shown, never sent). */
export function scoreFormOf(score: Pick<ScoreDefinitionDto, "key" | "label" | "description" | "kind" | "min" | "max" | "direction" | "guardrail" | "threshold">): ScoreForm {
  return {
    key: score.key,
    label: score.label,
    description: score.description,
    kind: score.kind,
    min: score.min === null ? "" : String(score.min),
    max: score.max === null ? "" : String(score.max),
    direction: score.direction,
    guardrail: score.guardrail,
    thresholdForm: score.threshold.form,
    thresholdValue: String(score.threshold.value),
  };
}

function editable(form: ScoreForm) {
  return {
    label: form.label,
    description: form.description,
    direction: form.direction,
    guardrail: form.guardrail,
    ...(form.kind === "numeric" ? { min: numberOrText(form.min), max: numberOrText(form.max) } : {}),
    ...(form.thresholdForm === "default" ? {} : { threshold: { form: form.thresholdForm, value: numberOrText(form.thresholdValue) } }),
  };
}

export function createScoreBody(form: ScoreForm) {
  return { key: form.key.trim(), kind: form.kind, ...editable(form) };
}

export function updateScoreBody(form: ScoreForm) {
  return editable(form);
}

/** The threshold the score will have, in words; null while what is typed is not a number yet. */
export function thresholdPreview(form: ScoreForm): string | null {
  const min = numberOrText(form.min);
  const max = numberOrText(form.max);
  const range = form.kind === "numeric" && typeof min === "number" && typeof max === "number" ? { min, max } : { min: null, max: null };
  if (form.kind === "numeric" && range.min === null) return null;
  const score = { kind: form.kind, direction: form.direction, ...range };
  if (form.thresholdForm === "default") return `${scoreThresholdWords(score, defaultScoreThreshold(form.kind, range.min, range.max))} (the default)`;
  const value = numberOrText(form.thresholdValue);
  return typeof value === "number" ? scoreThresholdWords(score, { form: form.thresholdForm, value }) : null;
}
