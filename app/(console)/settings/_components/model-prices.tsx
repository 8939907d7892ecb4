"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/components/providers";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { numberOrText } from "@/lib/console/number-or-text";
import { errorMessage, fieldError } from "@/lib/query/api";
import { priceApi, priceKeys, priceQueries, type ModelPriceWire } from "@/lib/query/prices";
import { SettingsSection } from "./settings-section";

/** The price form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = { model: "Model", inputUsdPerMillion: "Input, USD per million tokens", outputUsdPerMillion: "Output, USD per million tokens" } as const;

const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;

/** The price table: everyone who sees costs may read it; whoever manages prices changes it. */
export function ModelPrices() {
  const prices = useQuery(priceQueries.all());
  const canManage = useCan("prices:manage");
  const [editing, setEditing] = useState<ModelPriceWire | "new" | null>(null);
  return (
    <SettingsSection title="Model prices" actionLabel={canManage ? "Add price" : undefined} onAction={() => setEditing("new")}>
      <p className="text-sm text-slate-700">
        USD per million tokens, by the model name a version calls. An outcome that reports its input and output tokens but no cost is priced by its version&apos;s model; changes price the outcomes that arrive afterwards.
      </p>
      <QueryState query={prices} label="model prices" minHeight="h-24">
        {() =>
          prices.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No prices: costs show only where clients report them.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {prices.data!.map((p) => (
                <PriceItem key={p.model} price={p} canManage={canManage} onEdit={() => setEditing(p)} />
              ))}
            </ul>
          )
        }
      </QueryState>
      {editing && <PriceDialog price={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </SettingsSection>
  );
}

function PriceItem({ price: p, canManage, onEdit }: { price: ModelPriceWire; canManage: boolean; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => priceApi.remove(p.model),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: priceKeys.all }),
  });
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <div className="flex min-w-0 flex-col gap-0.5">
        <span className="break-all font-mono font-medium">{p.model}</span>
        <span className="text-slate-700">
          {usd(p.inputUsdPerMillion)} input · {usd(p.outputUsdPerMillion)} output per million tokens · changed <Time value={p.updatedAt} />
        </span>
        {remove.error && <span role="alert" className="text-xs text-red-800">{errorMessage(remove.error)}</span>}
      </div>
      {canManage && (
        <div className="flex gap-2">
          <Button onClick={onEdit} aria-label={`Edit the price of ${p.model}`}>
            Edit
          </Button>
          <Button variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={`Remove the price of ${p.model}`}>
            {remove.isPending ? "Removing…" : "Remove"}
          </Button>
        </div>
      )}
    </li>
  );
}

function PriceDialog({ price, onClose }: { price: ModelPriceWire | null; onClose: () => void }) {
  const [model, setModel] = useState(price?.model ?? "");
  const [input, setInput] = useState(price ? String(price.inputUsdPerMillion) : "");
  const [output, setOutput] = useState(price ? String(price.outputUsdPerMillion) : "");
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => priceApi.set({ model, inputUsdPerMillion: numberOrText(input), outputUsdPerMillion: numberOrText(output) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: priceKeys.all });
      onClose();
    },
  });
  return (
    <Dialog open onClose={onClose} title={price ? `Price of ${price.model}` : "Add a model price"}>
      <Form onSubmit={() => save.mutate()}>
        <Field label={LABELS.model} hint="Exactly as versions name it, e.g. gpt-4o-mini." error={fieldError(save.error, "model", LABELS)}>
          {(props) => <input {...props} value={model} onChange={(e) => setModel(e.target.value)} readOnly={price !== null} required className={`${INPUT_CLASS} font-mono`} autoFocus={price === null} />}
        </Field>
        <Field label={LABELS.inputUsdPerMillion} error={fieldError(save.error, "inputUsdPerMillion", LABELS)}>
          {(props) => <input {...props} inputMode="decimal" value={input} onChange={(e) => setInput(e.target.value)} required className={INPUT_CLASS} autoFocus={price !== null} />}
        </Field>
        <Field label={LABELS.outputUsdPerMillion} error={fieldError(save.error, "outputUsdPerMillion", LABELS)}>
          {(props) => <input {...props} inputMode="decimal" value={output} onChange={(e) => setOutput(e.target.value)} required className={INPUT_CLASS} />}
        </Field>
        <FormError error={save.error} labels={LABELS} />
        <FormActions onCancel={onClose} pending={save.isPending} label="Save price" pendingLabel="Saving…" />
      </Form>
    </Dialog>
  );
}
