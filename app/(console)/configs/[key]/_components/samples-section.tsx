"use client";

import { useId } from "react";
import { useCan } from "@/components/providers";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { LabeledSelect } from "@/components/ui/labeled-select";
import { fractionOptions, KEEP_CHOICES, samplePolicyBody, withKeep } from "@/lib/console/sample-policy-form";
import type { ConfigWire } from "@/lib/query/configs";
import { useConfigSettings } from "./use-config-settings";

const LABELS = { samplePolicy: "Samples kept", "samplePolicy.keep": "Samples kept", "samplePolicy.fraction": "Share of requests" } as const;

/**
 * Which outcomes keep their input and output samples — sent to /api/metrics or recorded by the
 * gateway alike. Everyone who reads the config sees the policy; editors (configs:write) change it.
 * Keyed by the config's `updatedAt` where it is used, so a save starts the form from the stored values.
 */
export function SamplesSection({ config }: { config: ConfigWire }) {
  const canWrite = useCan("configs:write");
  const saved = config.samplePolicy;
  const { edited, setEdited, body, save } = useConfigSettings(config.key, saved, samplePolicyBody);
  const hintId = useId();
  return (
    <section aria-labelledby="sample-policy-heading" className="rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="sample-policy-heading" className="mb-2 text-lg font-semibold">
        Samples
      </h2>
      <p className="mb-3 max-w-3xl text-sm text-slate-700">
        An outcome may carry its request&apos;s input and output, for reading after a rollback and for evaluators, which judge only outcomes with samples. Keep
        fewer to store less text: the policy applies to outcomes sent by apps and to gateway calls alike, from the moment it is saved.
      </p>
      <Form onSubmit={() => save.mutate()} className="flex flex-wrap items-end gap-x-6 gap-y-3">
        <LabeledSelect
          label={LABELS.samplePolicy}
          value={edited.keep}
          onChange={(keep) => setEdited(withKeep(saved, keep))}
          options={KEEP_CHOICES}
          disabled={!canWrite}
          describedBy={hintId}
        />
        {edited.keep === "fraction" && (
          <LabeledSelect
            label={LABELS["samplePolicy.fraction"]}
            value={String(edited.fraction)}
            onChange={(fraction) => setEdited({ keep: "fraction", fraction: Number(fraction) })}
            options={fractionOptions(edited.fraction)}
            disabled={!canWrite}
          />
        )}
        {canWrite && (
          <Button type="submit" variant="primary" disabled={Object.keys(body).length === 0 || save.isPending}>
            {save.isPending ? "Saving…" : "Save sample policy"}
          </Button>
        )}
        <p id={hintId} className="basis-full text-xs text-slate-600">
          A share is chosen by the request id, so a resent outcome is kept or not as it was the first time. Errors and low ratings: an outcome that is an error or
          carries a low rating when it is reported; a rating sent later finds no sample.
        </p>
        <div className="basis-full empty:hidden">
          <FormError error={save.error} labels={LABELS} />
        </div>
      </Form>
    </section>
  );
}
