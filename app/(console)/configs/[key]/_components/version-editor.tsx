"use client";

import "@/components/zod-in-browser"; // first: before the schemas these pages import are built
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { useCan } from "@/components/providers";
import { Breadcrumb, configStep } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { LINK_BUTTON } from "@/components/ui/styles";
import { analyzeMessages, previewMessages, variableRows } from "@/lib/console/template-preview";
import { errorAt, inputPathOf, versionRequestBody, type InputError, type SentOrder } from "@/lib/console/version-body";
import { emptyVersionForm, formFromVersion, PROVIDER_SUGGESTIONS, type VersionForm } from "@/lib/console/version-form";
import { VERSION_LABELS, versionLabels } from "@/lib/console/version-labels";
import { ApiError } from "@/lib/query/api";
import { detailText } from "@/lib/query/error-text";
import { configApi, configKeys, configQueries, type VersionWire } from "@/lib/query/configs";
import type { Edit } from "./editor-parts";
import { MessageListEditor } from "./message-list-editor";
import { RetrievalAndParams, SamplingEditor } from "./sampling-editor";
import { RenderedPreview, VariablesPanel } from "./template-panel";
import { ResponseFormatEditor, ToolsEditor } from "./tools-editor";

export function VersionEditor({ configKey, fromVersionId }: { configKey: string; fromVersionId?: string }) {
  const versions = useQuery(configQueries.versions(configKey));
  const canWrite = useCan("configs:write");
  if (!canWrite) return <p role="alert">Your role cannot write versions; ask an editor or an admin.</p>;
  return (
    <div className="flex flex-col gap-6">
      <Breadcrumb trail={[configStep(configKey), "new version"]} />
      <QueryState query={versions} label="versions" minHeight="h-96">
        {() => {
          const source = versions.data!.find((v) => v.id === fromVersionId) ?? null;
          return <EditorForm key={source?.id ?? "empty"} configKey={configKey} source={source} versions={versions.data!} />;
        }}
      </QueryState>
    </div>
  );
}

function EditorForm({ configKey, source, versions }: { configKey: string; source: VersionWire | null; versions: VersionWire[] }) {
  const labels = versions.map((v) => v.label); // newest first
  const [form, setForm] = useState<VersionForm>(() => (source ? formFromVersion(source, labels) : emptyVersionForm(labels)));
  const [localErrors, setLocalErrors] = useState<InputError[]>([]);
  const [sent, setSent] = useState<SentOrder | null>(null);
  const providers = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => configApi.createVersion(configKey, body),
    onSuccess: async (version) => {
      await queryClient.invalidateQueries({ queryKey: configKeys.detail(configKey) });
      await queryClient.invalidateQueries({ queryKey: configKeys.list() });
      router.push(`/configs/${configKey}/versions/${version.id}`);
    },
  });
  const edit: Edit = (change) => {
    setForm(change);
    setLocalErrors([]); // the fields check their JSON live from here on
  };
  // The server's paths (messages.2.content) on the cards they were sent from, wherever those are
  // now; its messages in the labels the form shows.
  const fieldLabels = useMemo(() => versionLabels(sent), [sent]);
  const serverErrors = useMemo<InputError[]>(
    () => (save.error instanceof ApiError && sent ? save.error.details.map((d) => ({ path: inputPathOf(d.path, sent), message: detailText(d, fieldLabels) })) : []),
    [save.error, sent, fieldLabels],
  );
  const errorOf = (path: string) => errorAt(localErrors, path) ?? errorAt(serverErrors, path);
  const analysis = useMemo(() => analyzeMessages(form.messages), [form.messages]);
  const rows = variableRows(form, analysis);
  const preview = previewMessages(form, analysis);
  const submit = () => {
    const result = versionRequestBody(form, source?.id ?? null);
    if (!result.ok) {
      setLocalErrors(result.errors);
      return;
    }
    setLocalErrors([]);
    setSent(result.sent);
    save.mutate(result.body);
  };
  const set = (patch: Partial<VersionForm>) => setForm((f) => ({ ...f, ...patch }));
  return (
    <Form className="flex flex-col gap-8" onSubmit={submit}>
      <header>
        <h1 className="text-2xl font-semibold">New version</h1>
        <p className="text-sm text-slate-700">
          {source ? (
            <>
              Starting from <span className="font-mono font-medium">{source.label}</span>. Versions are immutable: saving creates a new one.
            </>
          ) : versions.length > 0 ? (
            <>
              Starting from an empty version; the latest is <span className="font-mono font-medium">{versions[0].label}</span>. Versions are immutable: saving creates a new one.
            </>
          ) : (
            <>The first version of a config becomes its stable version.</>
          )}
        </p>
        {versions.length > 0 && (
          <label className="mt-2 flex items-center gap-2 text-sm font-medium">
            Start from
            <select
              className={INPUT_CLASS}
              value={source?.id ?? ""}
              onChange={(e) => router.replace(`/configs/${configKey}/versions/new${e.target.value ? `?from=${e.target.value}` : ""}`)}
            >
              <option value="">an empty version</option>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>

      <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-4">
        <Field label={VERSION_LABELS.label} hint="Unique in this config, like v1.3.0." error={errorOf("label")}>
          {(props) => <input {...props} value={form.label} onChange={(e) => set({ label: e.target.value })} required className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <Field label={VERSION_LABELS.model} hint="As your provider names it, like gpt-4o-mini." error={errorOf("model")}>
          {(props) => <input {...props} value={form.model} onChange={(e) => set({ model: e.target.value })} required className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <Field label={VERSION_LABELS.provider} hint="A label for your app: openai, anthropic, vllm…; empty: none." error={errorOf("provider")}>
          {(props) => <input {...props} list={providers} value={form.provider} onChange={(e) => set({ provider: e.target.value })} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <ProviderConnectionField value={form.providerId} onChange={(providerId) => set({ providerId })} error={errorOf("providerId")} />
        <datalist id={providers}>
          {PROVIDER_SUGGESTIONS.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <Field label={VERSION_LABELS.description} hint="What changed and why." error={errorOf("description")}>
          {(props) => <input {...props} value={form.description} onChange={(e) => set({ description: e.target.value })} className={INPUT_CLASS} />}
        </Field>
      </div>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <MessageListEditor form={form} edit={edit} errorOf={errorOf} analysis={analysis} />
        <div className="flex min-w-0 flex-col gap-4">
          <VariablesPanel rows={rows} edit={edit} errorOf={errorOf} />
          <RenderedPreview messages={preview} />
        </div>
      </div>

      <ToolsEditor form={form} edit={edit} errorOf={errorOf} />
      <ResponseFormatEditor form={form} edit={edit} errorOf={errorOf} />
      <SamplingEditor form={form} edit={edit} errorOf={errorOf} />
      <RetrievalAndParams form={form} edit={edit} errorOf={errorOf} />

      {localErrors.length > 0 && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          Some JSON does not parse; the fields say where. Nothing was saved.
        </p>
      )}
      <FormError error={save.error} labels={fieldLabels} />
      <div className="flex justify-end gap-2">
        <Link href={`/configs/${configKey}`} className={LINK_BUTTON}>
          Cancel
        </Link>
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save as new version"}
        </Button>
      </div>
    </Form>
  );
}

/** The connection the product calls this version through (playground, evaluators, gateway). */
function ProviderConnectionField({ value, onChange, error }: { value: string; onChange: (id: string) => void; error?: string }) {
  const connections = useQuery(configQueries.providerNames());
  const known = connections.data ?? [];
  return (
    <Field label={VERSION_LABELS.providerId} hint="Which connection LLM Canary calls this version through; admins add them in Settings." error={error}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value)} className={INPUT_CLASS}>
          <option value="">None</option>
          {known.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          {value !== "" && !known.some((c) => c.id === value) && <option value={value}>{connections.isPending ? value : `${value} (deleted)`}</option>}
        </select>
      )}
    </Field>
  );
}
