"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useCan } from "@/components/providers";
import { Button } from "@/components/ui/button";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { EMPTY_VERSION_FORM, formFromVersion, versionRequestBody, type VersionForm } from "@/lib/console/version-form";
import { fieldError } from "@/lib/query/api";
import { configApi, configKeys, configQueries, type VersionWire } from "@/lib/query/configs";
import { LINK_BUTTON } from "@/components/ui/styles";
import { Breadcrumb, configStep } from "@/components/ui/breadcrumb";
import { PromptEditor } from "./prompt-editor";

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
  const taken = versions.map((v) => v.label);
  const [form, setForm] = useState<VersionForm>(() => (source ? formFromVersion(source, taken) : EMPTY_VERSION_FORM));
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
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
  const set = (patch: Partial<VersionForm>) => setForm((f) => ({ ...f, ...patch }));
  const setRetrieval = (patch: Partial<VersionForm["retrieval"]>) => set({ retrieval: { ...form.retrieval, ...patch } });
  const err = (field: string) => (localError?.field === field ? localError.message : fieldError(save.error, field));
  const submit = () => {
    const result = versionRequestBody(form, source?.id ?? null);
    if (!result.ok) {
      setLocalError({ field: result.field, message: result.message });
      return;
    }
    setLocalError(null);
    save.mutate(result.body);
  };
  return (
    <Form className="flex flex-col gap-5" onSubmit={submit}>
      <header>
        <h1 className="text-2xl font-semibold">New version</h1>
        <p className="text-sm text-slate-700">
          {source ? (
            <>
              Starting from <span className="font-mono font-medium">{source.label}</span>. Versions are immutable: saving creates a new one.
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

      <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
        <Field label="Label" hint="Unique in this config, like v1.3.0." error={err("label")}>
          {(props) => <input {...props} value={form.label} onChange={(e) => set({ label: e.target.value })} required className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <Field label="Model" hint="As your provider names it, like gpt-4o-mini." error={err("model")}>
          {(props) => <input {...props} value={form.model} onChange={(e) => set({ model: e.target.value })} required className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <Field label="Description" hint="What changed and why." error={err("description")}>
          {(props) => <input {...props} value={form.description} onChange={(e) => set({ description: e.target.value })} className={INPUT_CLASS} />}
        </Field>
      </div>

      <Field label="System prompt" hint={`${form.systemPrompt.split("\n").length} lines, ${form.systemPrompt.length} characters (at most 100000).`} error={err("systemPrompt")}>
        {(props) => <PromptEditor id={props.id} value={form.systemPrompt} onChange={(systemPrompt) => set({ systemPrompt })} describedBy={props["aria-describedby"]} invalid={props["aria-invalid"]} />}
      </Field>

      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Field label="Temperature" hint="0 to 2" error={err("temperature")}>
          {(props) => <input {...props} type="number" min={0} max={2} step={0.05} value={form.temperature} onChange={(e) => set({ temperature: e.target.value })} className={INPUT_CLASS} />}
        </Field>
        <Field label="top_p" hint="greater than 0, at most 1" error={err("topP")}>
          {(props) => <input {...props} type="number" min={0.01} max={1} step={0.01} value={form.topP} onChange={(e) => set({ topP: e.target.value })} className={INPUT_CLASS} />}
        </Field>
        <Field label="Max tokens" hint="1 to 1000000" error={err("maxTokens")}>
          {(props) => <input {...props} type="number" min={1} max={1_000_000} step={1} value={form.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} className={INPUT_CLASS} />}
        </Field>
      </div>

      <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-medium">Retrieval strategy</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={form.retrieval.enabled} onChange={(e) => setRetrieval({ enabled: e.target.checked })} />
          This version retrieves context (RAG)
        </label>
        {form.retrieval.enabled && (
          <div className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-5">
            <Field label="Type" hint="vector, hybrid, bm25…" error={err("retrievalStrategy.type")}>
              {(props) => <input {...props} value={form.retrieval.type} onChange={(e) => setRetrieval({ type: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Index" error={err("retrievalStrategy.index")}>
              {(props) => <input {...props} value={form.retrieval.index} onChange={(e) => setRetrieval({ index: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Top K" hint="1 to 1000" error={err("retrievalStrategy.topK")}>
              {(props) => <input {...props} type="number" min={1} max={1000} value={form.retrieval.topK} onChange={(e) => setRetrieval({ topK: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Min score" hint="0 to 1" error={err("retrievalStrategy.minScore")}>
              {(props) => <input {...props} type="number" min={0} max={1} step={0.01} value={form.retrieval.minScore} onChange={(e) => setRetrieval({ minScore: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Reranker" error={err("retrievalStrategy.reranker")}>
              {(props) => <input {...props} value={form.retrieval.reranker} onChange={(e) => setRetrieval({ reranker: e.target.value })} className={INPUT_CLASS} />}
            </Field>
          </div>
        )}
      </fieldset>

      <Field label="Extra parameters (JSON object)" hint='Passed to your provider as they are, like {"presence_penalty": 0.2}; at most 16 KB.' error={err("params")}>
        {(props) => <textarea {...props} rows={4} value={form.params} onChange={(e) => set({ params: e.target.value })} spellCheck={false} className={`${INPUT_CLASS} font-mono`} />}
      </Field>

      <FormError error={save.error} />
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
