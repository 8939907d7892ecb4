"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { emptyProviderForm, providerBody, providerFormFrom, type HeaderRow, type ProviderForm } from "@/lib/console/provider-form";
import { errorMessage, fieldError } from "@/lib/query/api";
import { settingsApi, settingsKeys, settingsQueries, type ProviderWire } from "@/lib/query/settings";
import { SettingsSection } from "./settings-section";

/** The connection form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = { name: "Name", baseUrl: "Base URL", apiKey: "API key", headers: "Extra headers", "headers.*": "Header {1}" } as const;

export function ProviderConnections() {
  const providers = useQuery(settingsQueries.providers());
  const [editing, setEditing] = useState<ProviderWire | "new" | null>(null);
  return (
    <SettingsSection title="Provider connections" actionLabel="Add connection" onAction={() => setEditing("new")}>
      <p className="text-sm text-slate-700">
        OpenAI-compatible endpoints LLM Canary calls itself (OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM…). Keys and header values are stored encrypted and never shown again.
      </p>
      <QueryState query={providers} label="provider connections" minHeight="h-24">
        {() =>
          providers.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No connections yet.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {providers.data!.map((p) => (
                <ProviderItem key={p.id} provider={p} onEdit={() => setEditing(p)} />
              ))}
            </ul>
          )
        }
      </QueryState>
      {editing && <ProviderDialog provider={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </SettingsSection>
  );
}

function ProviderItem({ provider: p, onEdit }: { provider: ProviderWire; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const test = useMutation({ mutationFn: () => settingsApi.testProvider(p.id) });
  const remove = useMutation({
    mutationFn: () => settingsApi.deleteProvider(p.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsKeys.providers }),
  });
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{p.name}</span>
          <span className="break-all font-mono text-xs text-slate-600">{p.baseUrl}</span>
          <Badge tone="gray">key {p.apiKeyHint}</Badge>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Test ${p.name}`}>
            {test.isPending ? "Testing…" : "Test"}
          </Button>
          <Button onClick={onEdit} aria-label={`Edit ${p.name}`}>
            Edit
          </Button>
          <Button variant="danger" onClick={() => setConfirming(true)} aria-label={`Delete ${p.name}`}>
            Delete
          </Button>
        </div>
      </div>
      {p.headerNames.length > 0 && <p className="mt-1 text-xs text-slate-700">Extra headers: {p.headerNames.join(", ")}</p>}
      {test.data &&
        (test.data.ok ? (
          <p role="status" className="mt-1 text-xs text-green-800">
            Connected in {test.data.latencyMs} ms: {test.data.models.length} model{test.data.models.length === 1 ? "" : "s"}
            {test.data.models.length > 0 && ` (${test.data.models.slice(0, 8).join(", ")}${test.data.models.length > 8 ? ", …" : ""})`}
          </p>
        ) : (
          <p role="status" className="mt-1 text-xs text-red-800">
            Test failed: {test.data.error?.message}
          </p>
        ))}
      {test.error && <p role="alert" className="mt-1 text-xs text-red-800">{errorMessage(test.error)}</p>}
      {confirming && (
        <Dialog open onClose={() => setConfirming(false)} title={`Delete "${p.name}"?`}>
          <p className="mb-4">Its key is deleted with it; nothing can call this endpoint through LLM Canary until it is added again.</p>
          <Form onSubmit={() => remove.mutate()}>
            <FormError error={remove.error} />
            <FormActions onCancel={() => setConfirming(false)} pending={remove.isPending} variant="danger" label="Delete connection" pendingLabel="Deleting…" />
          </Form>
        </Dialog>
      )}
    </li>
  );
}

function ProviderDialog({ provider, onClose }: { provider: ProviderWire | null; onClose: () => void }) {
  const [form, setForm] = useState<ProviderForm>(() => (provider ? providerFormFrom(provider) : emptyProviderForm()));
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => {
      const body = providerBody(form, provider !== null);
      return provider ? settingsApi.updateProvider(provider.id, body) : settingsApi.createProvider(body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKeys.providers });
      onClose();
    },
  });
  const set = (changes: Partial<ProviderForm>) => setForm((f) => ({ ...f, ...changes }));
  const setRow = (index: number, changes: Partial<HeaderRow>) => set({ headers: form.headers.map((row, i) => (i === index ? { ...row, ...changes } : row)) });
  return (
    <Dialog open onClose={onClose} title={provider ? `Edit ${provider.name}` : "Add provider connection"}>
      <Form onSubmit={() => save.mutate()}>
        <Field label={LABELS.name} error={fieldError(save.error, "name", LABELS)}>
          {(props) => <input {...props} value={form.name} onChange={(e) => set({ name: e.target.value })} required className={INPUT_CLASS} autoFocus />}
        </Field>
        <Field label={LABELS.baseUrl} hint="The API's base, e.g. https://api.openai.com/v1; /models and /chat/completions are appended." error={fieldError(save.error, "baseUrl", LABELS)}>
          {(props) => <input {...props} type="url" value={form.baseUrl} onChange={(e) => set({ baseUrl: e.target.value })} required className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <Field
          label={LABELS.apiKey}
          hint={provider ? `A key ending in ${provider.apiKeyHint} is stored; leave blank to keep it.` : "Sent as Authorization: Bearer <key>. Stored encrypted; never shown again."}
          error={fieldError(save.error, "apiKey", LABELS)}
        >
          {(props) => <input {...props} type="password" autoComplete="off" value={form.apiKey} onChange={(e) => set({ apiKey: e.target.value })} required={!provider} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm font-medium">{LABELS.headers} (optional; values are stored encrypted)</legend>
          {form.headers.map((row, index) =>
            row.removed ? null : (
              <div key={index} className="flex flex-wrap items-end gap-2">
                <label className="flex flex-col gap-1 text-xs">
                  Header {index + 1} name
                  <input value={row.name} readOnly={row.stored} onChange={(e) => setRow(index, { name: e.target.value })} className={`${INPUT_CLASS} font-mono`} />
                </label>
                <label className="flex flex-col gap-1 text-xs">
                  {row.stored ? `Value of ${row.name} (blank keeps it)` : `Header ${index + 1} value`}
                  <input type="password" autoComplete="off" value={row.value} onChange={(e) => setRow(index, { value: e.target.value })} className={`${INPUT_CLASS} font-mono`} />
                </label>
                <Button onClick={() => setRow(index, { removed: true })} aria-label={`Remove header ${row.name || index + 1}`}>
                  Remove
                </Button>
              </div>
            ),
          )}
          {fieldError(save.error, "headers", LABELS) && <p className="text-xs font-medium text-red-700">{fieldError(save.error, "headers", LABELS)}</p>}
          <div>
            <Button onClick={() => set({ headers: [...form.headers, { name: "", value: "", stored: false, removed: false }] })}>Add header</Button>
          </div>
        </fieldset>
        <FormError error={save.error} labels={LABELS} />
        <FormActions onCancel={onClose} pending={save.isPending} label="Save connection" pendingLabel="Saving…" />
      </Form>
    </Dialog>
  );
}
