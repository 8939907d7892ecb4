"use client";

import { Badge } from "@/components/ui/badge";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import type { PreviewMessage, VariableRow } from "@/lib/console/template-preview";
import { updateVariable } from "@/lib/console/version-form-edits";
import { ROLE_STYLE, type Edit, type ErrorOf } from "./editor-parts";

/** The variables the messages use, each with a sample value (for the preview), a default and a description. */
export function VariablesPanel({ rows, edit, errorOf }: { rows: VariableRow[]; edit: Edit; errorOf: ErrorOf }) {
  return (
    <section aria-labelledby="variables-heading" className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4">
      <div>
        <h2 id="variables-heading" className="text-lg font-semibold">
          Variables
        </h2>
        <p className="text-sm text-slate-700">
          Found in the messages. Your app sends their values to <code className="font-mono">/api/route</code> as{" "}
          <code className="font-mono">variables</code>; a required one with no default must be sent.
        </p>
      </div>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-700">
          None yet: write <code className="rounded bg-amber-100 px-1 font-mono text-amber-950">{"{{name}}"}</code> in a message.
        </p>
      ) : (
        <ul aria-label="Variables" className="flex flex-col gap-3">
          {rows.map((v) => {
            const path = `variable:${v.name}`;
            const set = (patch: Parameters<typeof updateVariable>[2]) => edit((f) => updateVariable(f, v.name, patch));
            return (
              <li key={v.name} className="flex flex-col gap-2 border-t border-slate-100 pt-3 first:border-t-0 first:pt-0">
                <div className="flex flex-wrap items-center gap-2">
                  <code className="rounded bg-amber-100 px-1 font-mono text-sm text-amber-950">{v.name}</code>
                  {v.required ? <Badge tone={v.default === null ? "amber" : "gray"}>{v.default === null ? "required" : "has a default"}</Badge> : <Badge tone="gray">optional (in a section)</Badge>}
                </div>
                {errorOf(path) && <p className="text-xs font-medium text-red-700">{errorOf(path)}</p>}
                <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
                  <Field label={<>Sample value<span className="sr-only"> for {v.name}</span></>} hint="For the preview only.">
                    {(props) => <input {...props} value={v.sample} onChange={(e) => set({ sample: e.target.value })} className={INPUT_CLASS} />}
                  </Field>
                  <Field label={<>Default<span className="sr-only"> for {v.name}</span></>} hint="Used when the app sends none; empty: no default." error={errorOf(`${path}.default`)}>
                    {(props) => (
                      <input {...props} value={v.default ?? ""} onChange={(e) => set({ default: e.target.value === "" ? null : e.target.value })} className={INPUT_CLASS} />
                    )}
                  </Field>
                </div>
                <Field label={<>Description<span className="sr-only"> of {v.name}</span></>} error={errorOf(`${path}.description`)}>
                  {(props) => <input {...props} value={v.description} onChange={(e) => set({ description: e.target.value })} className={INPUT_CLASS} />}
                </Field>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** The messages rendered with the sample values, as /api/route answers `rendered`. */
export function RenderedPreview({ messages }: { messages: PreviewMessage[] }) {
  return (
    <section aria-labelledby="rendered-heading" className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4">
      <div>
        <h2 id="rendered-heading" className="text-lg font-semibold">
          Preview
        </h2>
        <p className="text-sm text-slate-700">The messages with the sample values (or defaults), as your app receives them.</p>
      </div>
      <ol aria-label="Rendered messages" className="flex flex-col gap-2">
        {messages.map((m, i) => (
          <li key={m.key} aria-label={`Rendered message ${i + 1}`} className="rounded-md border border-slate-200 bg-slate-50 p-2 text-sm">
            {m.kind === "history" ? (
              <p className="text-slate-700">
                <span className={`mr-2 rounded px-1.5 py-0.5 text-xs font-medium ${ROLE_STYLE.placeholder.badge}`}>history</span>
                Your app&apos;s conversation so far goes here (<code className="font-mono">{m.name}</code>).
              </p>
            ) : (
              <>
                <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${ROLE_STYLE[m.role as keyof typeof ROLE_STYLE].badge}`}>{m.role}</span>
                {m.kind === "text" ? (
                  <p className="mt-1 whitespace-pre-wrap break-words text-slate-900">{m.text === "" ? <span className="text-slate-600">(empty)</span> : m.text}</p>
                ) : m.kind === "missing" ? (
                  <p className="mt-1 text-amber-900">
                    Needs a value for {m.missing.map((name, j) => <span key={name}>{j > 0 && ", "}<code className="font-mono">{name}</code></span>)}: give it a sample value or a default.
                  </p>
                ) : (
                  <p className="mt-1 text-red-800">Cannot be shown: the text {m.problem}</p>
                )}
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
