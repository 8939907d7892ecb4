"use client";

import { Button } from "@/components/ui/button";
import { CodeField } from "@/components/ui/code-editor";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { jsonParseProblems, parseJsonObject } from "@/lib/console/json-text";
import type { VersionForm } from "@/lib/console/version-form";
import { addStop, removeStop, setStop } from "@/lib/console/version-form-edits";
import { LLM_LIMITS } from "@/lib/release/llm-settings";
import type { Edit, ErrorOf } from "./editor-parts";

/** Sampling parameters, stop sequences and seed. */
export function SamplingEditor({ form, edit, errorOf }: { form: VersionForm; edit: Edit; errorOf: ErrorOf }) {
  const set = (patch: Partial<VersionForm>) => edit((f) => ({ ...f, ...patch }));
  return (
    <section aria-labelledby="sampling-heading" className="flex flex-col gap-3">
      <h2 id="sampling-heading" className="text-lg font-semibold">
        Sampling
      </h2>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field label="Temperature" hint="0 to 2" error={errorOf("temperature")}>
          {(props) => <input {...props} type="number" min={0} max={2} step={0.05} value={form.temperature} onChange={(e) => set({ temperature: e.target.value })} className={INPUT_CLASS} />}
        </Field>
        <Field label="top_p" hint="greater than 0, at most 1" error={errorOf("topP")}>
          {(props) => <input {...props} type="number" min={0.01} max={1} step={0.01} value={form.topP} onChange={(e) => set({ topP: e.target.value })} className={INPUT_CLASS} />}
        </Field>
        <Field label="Max tokens" hint="1 to 1000000" error={errorOf("maxTokens")}>
          {(props) => <input {...props} type="number" min={1} max={1_000_000} step={1} value={form.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} className={INPUT_CLASS} />}
        </Field>
        <Field label="Seed" hint="A whole number for repeatable sampling; empty: none." error={errorOf("seed")}>
          {(props) => <input {...props} type="number" step={1} value={form.seed} onChange={(e) => set({ seed: e.target.value })} className={INPUT_CLASS} />}
        </Field>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="text-sm font-medium text-slate-800">Stop sequences</legend>
        <p className="text-xs text-slate-600">
          The model stops before any of these. Write <code className="font-mono">\n</code> for a line break, <code className="font-mono">\t</code> for a tab, <code className="font-mono">\\</code> for a backslash.
        </p>
        {errorOf("stop") && !form.stop.some((_s, i) => errorOf(`stop.${i}`)) && <p className="text-xs font-medium text-red-700">{errorOf("stop")}</p>}
        {form.stop.map((text, i) => (
          <div key={i} className="flex items-start gap-2">
            <div className="flex-1">
              <Field label={<span className="sr-only">Stop sequence {i + 1}</span>} error={errorOf(`stop.${i}`)}>
                {(props) => <input {...props} value={text} onChange={(e) => edit((f) => setStop(f, i, e.target.value))} className={`${INPUT_CLASS} w-full font-mono`} />}
              </Field>
            </div>
            <Button aria-label={`Remove stop sequence ${i + 1}`} onClick={() => edit((f) => removeStop(f, i))}>
              Remove
            </Button>
          </div>
        ))}
        <div>
          <Button onClick={() => edit(addStop)} disabled={form.stop.length >= LLM_LIMITS.stop}>
            Add stop sequence
          </Button>
        </div>
      </fieldset>
    </section>
  );
}

const paramsProblem = (text: string) => {
  const parsed = parseJsonObject(text.trim() === "" ? "{}" : text, '{"presence_penalty": 0.2}');
  return parsed.ok ? undefined : parsed.problem.message;
};

/** Retrieval (RAG) and the extra provider parameters. */
export function RetrievalAndParams({ form, edit, errorOf }: { form: VersionForm; edit: Edit; errorOf: ErrorOf }) {
  const setRetrieval = (patch: Partial<VersionForm["retrieval"]>) => edit((f) => ({ ...f, retrieval: { ...f.retrieval, ...patch } }));
  const r = form.retrieval;
  return (
    <>
      <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-medium">Retrieval strategy</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={r.enabled} onChange={(e) => setRetrieval({ enabled: e.target.checked })} />
          This version retrieves context (RAG)
        </label>
        {r.enabled && (
          <div className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-5">
            <Field label="Type" hint="vector, hybrid, bm25…" error={errorOf("retrievalStrategy.type")}>
              {(props) => <input {...props} value={r.type} onChange={(e) => setRetrieval({ type: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Index" error={errorOf("retrievalStrategy.index")}>
              {(props) => <input {...props} value={r.index} onChange={(e) => setRetrieval({ index: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Top K" hint="1 to 1000" error={errorOf("retrievalStrategy.topK")}>
              {(props) => <input {...props} type="number" min={1} max={1000} value={r.topK} onChange={(e) => setRetrieval({ topK: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Min score" hint="0 to 1" error={errorOf("retrievalStrategy.minScore")}>
              {(props) => <input {...props} type="number" min={0} max={1} step={0.01} value={r.minScore} onChange={(e) => setRetrieval({ minScore: e.target.value })} className={INPUT_CLASS} />}
            </Field>
            <Field label="Reranker" error={errorOf("retrievalStrategy.reranker")}>
              {(props) => <input {...props} value={r.reranker} onChange={(e) => setRetrieval({ reranker: e.target.value })} className={INPUT_CLASS} />}
            </Field>
          </div>
        )}
      </fieldset>
      <CodeField
        label="Extra parameters (JSON object)"
        mode="json"
        value={form.params}
        onChange={(params) => edit((f) => ({ ...f, params }))}
        problems={jsonParseProblems}
        hint={`Passed to your provider as they are, like {"presence_penalty": 0.2}; at most ${LLM_LIMITS.paramsBytes / 1024} KB.`}
        error={errorOf("params") ?? paramsProblem(form.params)}
      />
    </>
  );
}
