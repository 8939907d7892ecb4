"use client";

import { Field, INPUT_CLASS } from "@/components/ui/field";
import { scoreThresholdLabel, type ScoreThresholdRow } from "@/lib/console/canary-form";
import type { FieldLabels } from "@/lib/query/error-text";
import { fieldError } from "@/lib/query/api";
import type { ScoreWire } from "@/lib/query/scores";
import { scoreThresholdWords } from "@/lib/release/score-words";

/**
 * The start dialog's thresholds of the config's guardrail scores: each starts at the score's own
 * (what the rollout copies when nothing is sent) and, once changed, is sent as an override.
 */
export function ScoreThresholdInputs({ scores, rows, error, labels, onChange }: { scores: ScoreWire[]; rows: Record<string, ScoreThresholdRow>; error: unknown; labels: FieldLabels; onChange: (rows: Record<string, ScoreThresholdRow>) => void }) {
  if (scores.length === 0) return null;
  return (
    <fieldset className="grid grid-cols-1 gap-3 sm:grid-cols-2">
      <legend className="mb-2 text-sm font-medium">Custom score guardrails</legend>
      {scores.map((score) => {
        const row = rows[score.key] ?? { form: score.threshold.form, value: String(score.threshold.value) };
        const value = Number(row.value);
        const words = row.value.trim() !== "" && Number.isFinite(value) ? scoreThresholdWords(score, { form: row.form, value }) : "";
        const path = `thresholds.scores.${score.key}`;
        const set = (patch: Partial<ScoreThresholdRow>) => onChange({ ...rows, [score.key]: { ...row, ...patch } });
        return (
          <div key={score.key} className="flex flex-col gap-1">
            <Field label={scoreThresholdLabel(score)} hint={words || "how much worse the canary may be"} error={fieldError(error, `${path}.value`, labels) ?? fieldError(error, path, labels) ?? fieldError(error, `${path}.form`, labels)}>
              {(props) => (
                <div className="flex gap-2">
                  <select aria-label={`${score.label} threshold form`} value={row.form} onChange={(e) => set({ form: e.target.value as ScoreThresholdRow["form"] })} className={INPUT_CLASS}>
                    <option value="difference">worse by at most</option>
                    <option value="ratio">worse by a factor of at most</option>
                  </select>
                  <input {...props} inputMode="decimal" value={row.value} onChange={(e) => set({ value: e.target.value })} className={`${INPUT_CLASS} w-28`} />
                </div>
              )}
            </Field>
          </div>
        );
      })}
    </fieldset>
  );
}
