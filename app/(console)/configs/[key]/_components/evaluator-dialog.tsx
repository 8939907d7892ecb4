"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { emptyEvaluatorForm, evaluatorBody, evaluatorFormOf, type EvaluatorForm } from "@/lib/console/evaluator-form";
import { fieldError } from "@/lib/query/api";
import { evaluatorApi, evaluatorKeys, type EvaluatorWire } from "@/lib/query/evaluators";
import type { ScoreWire } from "@/lib/query/scores";

/** The evaluator form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = {
  name: "Name",
  scoreKey: "Score it writes",
  providerId: "Connection",
  model: "Judge model",
  prompt: "Judge prompt",
  "answer.format": "Read the answer as",
  "answer.field": "JSON field",
  "answer.min": "Scale from",
  "answer.max": "Scale to",
  sampleRate: "Sampling rate (%)",
  minPerMinute: "Canary at least, per minute",
  maxPerMinute: "At most, per minute",
  enabled: "Enabled",
} as const;

const FORMATS: { value: EvaluatorForm["format"]; label: string }[] = [
  { value: "number", label: "A number in a range" },
  { value: "json_field", label: "A field of a JSON object" },
  { value: "pass_fail", label: "PASS or FAIL" },
];

interface Props {
  configKey: string;
  scores: ScoreWire[];
  providers: { id: string; name: string }[];
  evaluator?: EvaluatorWire;
  onClose: () => void;
}

/** Add an evaluator (no `evaluator`) or change one. */
export function EvaluatorDialog({ configKey, scores, providers, evaluator, onClose }: Props) {
  const [form, setForm] = useState<EvaluatorForm>(() => (evaluator ? evaluatorFormOf(evaluator) : emptyEvaluatorForm(scores[0]?.key, providers[0]?.id)));
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => (evaluator ? evaluatorApi.update(configKey, evaluator.id, evaluatorBody(form)) : evaluatorApi.create(configKey, evaluatorBody(form))),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: evaluatorKeys.list(configKey) });
      onClose();
    },
  });
  const set = (patch: Partial<EvaluatorForm>) => setForm((f) => ({ ...f, ...patch }));
  const error = (path: string) => fieldError(save.error, path, LABELS);
  const text = (field: "name" | "model" | "field" | "scaleMin" | "scaleMax" | "ratePercent" | "minPerMinute" | "maxPerMinute", path: string, hint?: string, numeric = false) => (
    <Field label={LABELS[path as keyof typeof LABELS]} hint={hint} error={error(path)}>
      {(props) => <input {...props} inputMode={numeric ? "decimal" : undefined} value={form[field]} onChange={(e) => set({ [field]: e.target.value })} className={INPUT_CLASS} />}
    </Field>
  );
  return (
    <Dialog open onClose={onClose} title={evaluator ? `Change evaluator ${evaluator.name}` : "Add an evaluator"} wide>
      <Form className="flex max-h-[75vh] flex-col gap-4 overflow-y-auto pr-1" onSubmit={() => save.mutate()}>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          {text("name", "name")}
          <Field label={LABELS.scoreKey} hint="A score of this config; define it under Scores first." error={error("scoreKey")}>
            {(props) => (
              <select {...props} value={form.scoreKey} onChange={(e) => set({ scoreKey: e.target.value })} className={INPUT_CLASS}>
                {scores.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label} ({s.key})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={LABELS.providerId} hint="An admin adds connections under Settings." error={error("providerId")}>
            {(props) => (
              <select {...props} value={form.providerId} onChange={(e) => set({ providerId: e.target.value })} className={INPUT_CLASS}>
                {providers.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {text("model", "model", "As the connection names it, e.g. gpt-4o-mini.")}
        </div>
        <Field label={LABELS.prompt} hint="{{output}} is the answer to judge; {{input}} the request; the version's variables take their defaults." error={error("prompt")}>
          {(props) => <textarea {...props} rows={7} value={form.prompt} onChange={(e) => set({ prompt: e.target.value })} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label={LABELS["answer.format"]} error={error("answer.format") ?? error("answer")}>
            {(props) => (
              <select {...props} value={form.format} onChange={(e) => set({ format: e.target.value as EvaluatorForm["format"] })} className={INPUT_CLASS}>
                {FORMATS.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.format === "json_field" && text("field", "answer.field", "A dotted path, like score or verdict.score.")}
          {form.format !== "pass_fail" && (
            <>
              {text("scaleMin", "answer.min", "Blank: the score's range.", true)}
              {text("scaleMax", "answer.max", "Mapped onto the score's range.", true)}
            </>
          )}
        </div>
        <fieldset className="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <legend className="mb-1 text-sm font-medium">Sampling (canary outcomes first)</legend>
          {text("ratePercent", "sampleRate", "Of outcomes with an output sample.", true)}
          {text("minPerMinute", "minPerMinute", "So a small canary is not starved.", true)}
          {text("maxPerMinute", "maxPerMinute", "Bounds the judge's cost.", true)}
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Enabled: evaluate outcomes as they arrive
        </label>
        <FormError error={save.error} labels={LABELS} />
        <FormActions onCancel={onClose} pending={save.isPending} label={evaluator ? "Save changes" : "Add evaluator"} pendingLabel="Saving…" />
      </Form>
    </Dialog>
  );
}
