import type { AnswerFormat } from "../evaluators/answer";
import { numberOrText } from "./number-or-text";

// The config page's evaluator form: its state as typed, the body it becomes, and the sentences
// the evaluator list shows. The sampling rate is typed as a percentage. Validation stays on the
// server: the form shows its messages next to the fields. Pure.

export interface EvaluatorForm {
  name: string;
  scoreKey: string;
  providerId: string;
  model: string;
  prompt: string;
  format: AnswerFormat["format"];
  field: string;
  /** The judge's scale (number and json_field); blank: the score's range. */
  scaleMin: string;
  scaleMax: string;
  ratePercent: string;
  minPerMinute: string;
  maxPerMinute: string;
  enabled: boolean;
}

export const DEFAULT_PROMPT =
  "You grade an assistant's answer.\n\nQuestion:\n{{input}}\n\nAnswer:\n{{output}}\n\nHow well is the answer grounded in facts? Reply with one number from 0 to 1.";

export function emptyEvaluatorForm(scoreKey = "", providerId = ""): EvaluatorForm {
  return { name: "", scoreKey, providerId, model: "", prompt: DEFAULT_PROMPT, format: "number", field: "score", scaleMin: "", scaleMax: "", ratePercent: "10", minPerMinute: "5", maxPerMinute: "60", enabled: true };
}

interface EvaluatorValues {
  name: string;
  scoreKey: string;
  providerId: string;
  model: string;
  prompt: string;
  answer: AnswerFormat;
  sampleRate: number;
  minPerMinute: number;
  maxPerMinute: number;
  enabled: boolean;
}

export function evaluatorFormOf(e: EvaluatorValues): EvaluatorForm {
  const scale: { min?: number; max?: number } = e.answer.format === "pass_fail" ? {} : e.answer;
  return {
    name: e.name,
    scoreKey: e.scoreKey,
    providerId: e.providerId,
    model: e.model,
    prompt: e.prompt,
    format: e.answer.format,
    field: e.answer.format === "json_field" ? e.answer.field : "score",
    scaleMin: scale.min === undefined ? "" : String(scale.min),
    scaleMax: scale.max === undefined ? "" : String(scale.max),
    ratePercent: String(Number((e.sampleRate * 100).toPrecision(6))),
    minPerMinute: String(e.minPerMinute),
    maxPerMinute: String(e.maxPerMinute),
    enabled: e.enabled,
  };
}

/** The create body, and the change body (the whole evaluator: the server keeps what did not change). */
export function evaluatorBody(form: EvaluatorForm) {
  const scale = {
    ...(form.scaleMin.trim() ? { min: numberOrText(form.scaleMin) } : {}),
    ...(form.scaleMax.trim() ? { max: numberOrText(form.scaleMax) } : {}),
  };
  const answer = form.format === "pass_fail" ? { format: "pass_fail" } : form.format === "json_field" ? { format: "json_field", field: form.field.trim(), ...scale } : { format: "number", ...scale };
  const rate = numberOrText(form.ratePercent);
  return {
    name: form.name,
    scoreKey: form.scoreKey,
    providerId: form.providerId,
    model: form.model,
    prompt: form.prompt,
    answer,
    sampleRate: typeof rate === "number" ? Number((rate / 100).toPrecision(12)) : rate,
    minPerMinute: numberOrText(form.minPerMinute),
    maxPerMinute: numberOrText(form.maxPerMinute),
    enabled: form.enabled,
  };
}

/** "a number 1..5", "the JSON field verdict.score", "PASS or FAIL". */
export function answerWords(answer: AnswerFormat): string {
  const scale = answer.format !== "pass_fail" && answer.min !== undefined && answer.max !== undefined ? ` on ${answer.min}..${answer.max}` : "";
  if (answer.format === "pass_fail") return "PASS or FAIL";
  if (answer.format === "json_field") return `the JSON field ${answer.field}${scale}`;
  return `a number${scale}`;
}

/** "10 % of outcomes, at least 5 canary a minute, at most 60 a minute". */
export function samplingWords(e: { sampleRate: number; minPerMinute: number; maxPerMinute: number }): string {
  const rate = `${Number((e.sampleRate * 100).toPrecision(6))} % of outcomes`;
  const min = e.minPerMinute > 0 ? `, at least ${e.minPerMinute} canary a minute` : "";
  return `${rate}${min}, at most ${e.maxPerMinute} a minute`;
}
