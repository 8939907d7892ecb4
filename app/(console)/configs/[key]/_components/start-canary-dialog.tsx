"use client";

import { FormActions } from "@/components/ui/form-actions";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { THRESHOLD_FIELDS } from "@/lib/guardrails/registry";
import { canaryLabels, canaryRequestBody, defaultCanaryForm, type CanaryForm } from "@/lib/console/canary-form";
import { ApiError, fieldError } from "@/lib/query/api";
import { fieldLabel, problemSentence, type FieldLabels } from "@/lib/query/error-text";
import { configApi, configKeys, type ConfigDetailWire, type VersionWire } from "@/lib/query/configs";
import { scoreQueries } from "@/lib/query/scores";
import { ScoreThresholdInputs } from "./score-threshold-inputs";


export function StartCanaryDialog({ detail, candidates, onClose, initialVersionId }: { detail: ConfigDetailWire; candidates: VersionWire[]; onClose: () => void; initialVersionId?: string }) {
  const [form, setForm] = useState<CanaryForm>(() => defaultCanaryForm(initialVersionId ?? candidates[0]?.id ?? ""));
  // The config as it was when the dialog opened: a change since then must be a 409, not a surprise.
  const [revision] = useState(detail.config.revision);
  const router = useRouter();
  const queryClient = useQueryClient();
  const key = detail.config.key;
  const start = useMutation({
    mutationFn: () => configApi.startRollout(key, canaryRequestBody(form, revision)),
    onSuccess: async (rollout) => {
      await queryClient.invalidateQueries({ queryKey: configKeys.all });
      router.push(`/rollouts/${rollout.id}`);
    },
    onError: () => queryClient.invalidateQueries({ queryKey: configKeys.detail(key) }),
  });
  const scores = useQuery(scoreQueries.list(key));
  const guardrailScores = (scores.data ?? []).filter((sc) => sc.guardrail);
  const labels = canaryLabels(guardrailScores);
  const set = (patch: Partial<CanaryForm>) => setForm((f) => ({ ...f, ...patch }));
  const setStage = (i: number, patch: Partial<CanaryForm["stages"][number]>) => set({ stages: form.stages.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  return (
    <Dialog open onClose={onClose} title={`Start a canary of ${detail.config.name}`} wide>
      <Form className="flex max-h-[75vh] flex-col gap-5 overflow-y-auto pr-1" onSubmit={() => start.mutate()}>
        <Field label={labels.canaryVersionId} hint={`Compared with the stable version ${detail.stableVersion?.label ?? ""}.`} error={fieldError(start.error, "canaryVersionId", labels)}>
          {(props) => (
            <select {...props} value={form.canaryVersionId} onChange={(e) => set({ canaryVersionId: e.target.value })} className={INPUT_CLASS}>
              {candidates.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.label} — {v.model}
                </option>
              ))}
            </select>
          )}
        </Field>

        <fieldset>
          <legend className="mb-2 text-sm font-medium">{labels.stages}</legend>
          <table className="w-full text-sm">
            <thead className="text-left text-slate-700">
              <tr>
                <th scope="col" className="pb-1 font-medium">#</th>
                <th scope="col" className="pb-1 font-medium">Canary %</th>
                <th scope="col" className="pb-1 font-medium">Min duration (minutes)</th>
                <th scope="col" className="pb-1 font-medium">Min canary samples</th>
                <th scope="col"><span className="sr-only">Remove</span></th>
              </tr>
            </thead>
            <tbody>
              {form.stages.map((stage, i) => (
                <tr key={i}>
                  <td className="py-1 pr-2 text-slate-600">{i + 1}</td>
                  {(["percent", "minutes", "minSamples"] as const).map((field) => {
                    const path = `stages.${i}.${field === "minutes" ? "minDurationSec" : field}`;
                    const error = fieldError(start.error, path, labels);
                    return (
                      <td key={field} className="py-1 pr-2">
                        <input
                          aria-label={`${fieldLabel(path, labels)}${field === "minutes" ? " in minutes" : ""}`}
                          inputMode="decimal"
                          value={stage[field]}
                          onChange={(e) => setStage(i, { [field]: e.target.value })}
                          aria-invalid={error ? true : undefined}
                          title={error}
                          className={`${INPUT_CLASS} w-full`}
                        />
                      </td>
                    );
                  })}
                  <td className="py-1">
                    <Button onClick={() => set({ stages: form.stages.filter((_, j) => j !== i) })} disabled={form.stages.length === 1} aria-label={`Remove stage ${i + 1}`}>
                      ✕
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <StageErrors error={start.error} labels={labels} />
          <Button className="mt-2" onClick={() => set({ stages: [...form.stages, { percent: "100", minutes: "120", minSamples: "1000" }] })} disabled={form.stages.length >= 20}>
            Add stage
          </Button>
          <p className="mt-1 text-xs text-slate-600">Each stage&apos;s percent must exceed the last; the last is 100. A stage ends when both its duration and samples are reached and every guardrail passes.</p>
        </fieldset>

        <fieldset className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
          <legend className="mb-2 text-sm font-medium">{labels.thresholds}</legend>
          {THRESHOLD_FIELDS.map(({ name: field, hint }) => (
            <Field key={field} label={labels[`thresholds.${field}`]} hint={hint} error={fieldError(start.error, `thresholds.${field}`, labels)}>
              {(props) => <input {...props} inputMode="decimal" value={form.thresholds[field]} onChange={(e) => set({ thresholds: { ...form.thresholds, [field]: e.target.value } })} className={INPUT_CLASS} />}
            </Field>
          ))}
        </fieldset>

        <ScoreThresholdInputs scores={guardrailScores} rows={form.scores} error={start.error} labels={labels} onChange={(rows) => set({ scores: rows })} />

        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label={labels.include} hint="One per line; these users get the canary from the first stage." error={fieldError(start.error, "include", labels)}>
            {(props) => <textarea {...props} rows={3} value={form.include} onChange={(e) => set({ include: e.target.value })} className={`${INPUT_CLASS} font-mono`} />}
          </Field>
          <Field label={labels.exclude} hint="One per line; these users always get stable." error={fieldError(start.error, "exclude", labels)}>
            {(props) => <textarea {...props} rows={3} value={form.exclude} onChange={(e) => set({ exclude: e.target.value })} className={`${INPUT_CLASS} font-mono`} />}
          </Field>
        </div>

        <div className="flex flex-col gap-2 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={form.sticky} onChange={(e) => set({ sticky: e.target.checked })} />
            Sticky: a user keeps the same version across requests (recommended)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={form.autoPromote} onChange={(e) => set({ autoPromote: e.target.checked })} />
            Auto-promote: the controller advances stages and promotes without waiting for approval
          </label>
        </div>

        <FormError error={start.error} labels={labels} />
        <div className="sticky bottom-0 bg-white pt-2">
          <FormActions onCancel={onClose} pending={start.isPending} disabled={!form.canaryVersionId} label="Start canary" pendingLabel="Starting…" />
        </div>
      </Form>
    </Dialog>
  );
}

/** Problems with stage rows, in words (the cells themselves are only marked invalid). */
function StageErrors({ error, labels }: { error: unknown; labels: FieldLabels }) {
  if (!(error instanceof ApiError)) return null;
  const problems = error.details.filter((d) => d.path.startsWith("stages"));
  if (problems.length === 0) return null;
  return (
    <ul role="alert" className="mt-2 list-disc pl-5 text-xs font-medium text-red-700">
      {problems.map((d) => (
        <li key={d.path}>{problemSentence(d, labels)}</li>
      ))}
    </ul>
  );
}
