"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { createScoreBody, emptyScoreForm, scoreFormOf, thresholdPreview, updateScoreBody, type ScoreForm } from "@/lib/console/score-form";
import { fieldError } from "@/lib/query/api";
import { scoreApi, scoreKeys, type ScoreWire } from "@/lib/query/scores";
import { SCORE_DIRECTIONS, SCORE_KINDS } from "@/lib/release/score-schemas";
import { scoreDirectionWords } from "@/lib/release/score-words";

const THRESHOLD_FORMS: { value: ScoreForm["thresholdForm"]; label: string }[] = [
  { value: "default", label: "Default (2 points of pass rate, or 5 % of the range)" },
  { value: "difference", label: "Difference: worse by at most a fixed amount" },
  { value: "ratio", label: "Ratio: at most so many times worse" },
];

/** The score form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = {
  key: "Key",
  kind: "Kind",
  label: "Label",
  direction: "Direction",
  min: "Minimum",
  max: "Maximum",
  description: "Description",
  guardrail: "Role",
  threshold: "Threshold",
  "threshold.form": "Threshold",
} as const;
const VALUE_LABELS = { ratio: "Times worse, at most", difference: "Worse by, at most", default: "Threshold" } as const;

/** Add a score (no `score`), or change one: key and kind are fixed once it exists. */
export function ScoreDialog({ configKey, score, onClose }: { configKey: string; score?: ScoreWire; onClose: () => void }) {
  const [form, setForm] = useState<ScoreForm>(() => (score ? scoreFormOf(score) : emptyScoreForm()));
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => (score ? scoreApi.update(configKey, score.key, updateScoreBody(form)) : scoreApi.create(configKey, createScoreBody(form))),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: scoreKeys.list(configKey) });
      onClose();
    },
  });
  const set = (patch: Partial<ScoreForm>) => setForm((f) => ({ ...f, ...patch }));
  const labels = { ...LABELS, "threshold.value": VALUE_LABELS[form.thresholdForm] };
  const error = (path: string) => fieldError(save.error, path, labels);
  const preview = thresholdPreview(form);
  const forms = score ? THRESHOLD_FORMS.filter((f) => f.value !== "default") : THRESHOLD_FORMS;
  return (
    <Dialog open onClose={onClose} title={score ? `Change score ${score.key}` : "Add a score"} wide>
      <Form className="flex max-h-[75vh] flex-col gap-4 overflow-y-auto pr-1" onSubmit={() => save.mutate()}>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          {score ? (
            <p className="text-sm">
              Key <code className="font-mono">{score.key}</code> · {score.kind} (neither changes: stored values are kept by them)
            </p>
          ) : (
            <>
              <Field label={labels.key} hint="What clients send in `scores`, like groundedness or valid_json." error={error("key")}>
                {(props) => <input {...props} value={form.key} onChange={(e) => set({ key: e.target.value })} className={`${INPUT_CLASS} font-mono`} autoFocus />}
              </Field>
              <Field label={labels.kind} hint="Boolean: true or false (its mean is a rate). Numeric: a value in a range." error={error("kind")}>
                {(props) => (
                  <select {...props} value={form.kind} onChange={(e) => set({ kind: e.target.value as ScoreForm["kind"] })} className={INPUT_CLASS}>
                    {SCORE_KINDS.map((k) => (
                      <option key={k} value={k}>
                        {k}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </>
          )}
          <Field label={labels.label} error={error("label")}>
            {(props) => <input {...props} value={form.label} onChange={(e) => set({ label: e.target.value })} className={INPUT_CLASS} autoFocus={Boolean(score)} />}
          </Field>
          <Field label={labels.direction} error={error("direction")}>
            {(props) => (
              <select {...props} value={form.direction} onChange={(e) => set({ direction: e.target.value as ScoreForm["direction"] })} className={INPUT_CLASS}>
                {SCORE_DIRECTIONS.map((d) => (
                  <option key={d} value={d}>
                    {scoreDirectionWords(d)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.kind === "numeric" && (
            <>
              <Field label={labels.min} error={error("min")}>
                {(props) => <input {...props} inputMode="decimal" value={form.min} onChange={(e) => set({ min: e.target.value })} className={INPUT_CLASS} />}
              </Field>
              <Field label={labels.max} error={error("max")}>
                {(props) => <input {...props} inputMode="decimal" value={form.max} onChange={(e) => set({ max: e.target.value })} className={INPUT_CLASS} />}
              </Field>
            </>
          )}
        </div>
        <Field label={labels.description} hint="Optional: how the score is computed." error={error("description")}>
          {(props) => <textarea {...props} rows={2} value={form.description} onChange={(e) => set({ description: e.target.value })} className={INPUT_CLASS} />}
        </Field>
        <fieldset className="flex flex-col gap-1 text-sm">
          <legend className="mb-1 font-medium">{labels.guardrail}</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="score-role" checked={form.guardrail} onChange={() => set({ guardrail: true })} />
            Guardrail: judged by each rollout started from now on; may hold or roll back a stage
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="score-role" checked={!form.guardrail} onChange={() => set({ guardrail: false })} />
            Tracked: charted and reported only
          </label>
        </fieldset>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label={labels.threshold} error={error("threshold.form") ?? (form.thresholdForm === "default" ? undefined : error("threshold"))}>
            {(props) => (
              <select {...props} value={form.thresholdForm} onChange={(e) => set({ thresholdForm: e.target.value as ScoreForm["thresholdForm"] })} className={INPUT_CLASS}>
                {forms.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.thresholdForm !== "default" && (
            <Field
              label={labels["threshold.value"]}
              hint={form.thresholdForm === "ratio" ? "Greater than 1, like 1.5." : form.kind === "boolean" ? "A share of requests: 0.02 is 2 points." : "In the score's unit, below the range's width."}
              error={error("threshold.value")}
            >
              {(props) => <input {...props} inputMode="decimal" value={form.thresholdValue} onChange={(e) => set({ thresholdValue: e.target.value })} className={INPUT_CLASS} />}
            </Field>
          )}
        </div>
        {preview && (
          <p className="text-sm text-slate-700">
            Against stable, the canary&apos;s {preview}.
          </p>
        )}
        <FormError error={save.error} labels={labels} />
        <FormActions onCancel={onClose} pending={save.isPending} label={score ? "Save changes" : "Add score"} pendingLabel="Saving…" />
      </Form>
    </Dialog>
  );
}
