"use client";

import { useId } from "react";
import { Button } from "@/components/ui/button";
import { CodeField } from "@/components/ui/code-editor";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { jsonParseProblems, jsonSchemaProblem } from "@/lib/console/json-text";
import { TOOL_CHOICE_PREFIX, type ResponseType, type VersionForm } from "@/lib/console/version-form";
import { addTool, moveTool, removeTool, updateTool } from "@/lib/console/version-form-edits";
import { LLM_LIMITS } from "@/lib/release/llm-settings";
import { CardActions, useFocusAfterRender } from "./card-actions";
import type { Edit, ErrorOf } from "./editor-parts";

const RESPONSE_TYPE_LABELS: Record<ResponseType, string> = {
  "": "the provider's default",
  text: "text",
  json_object: "JSON object (any)",
  json_schema: "JSON matching a schema",
};

/** The tools the model may call, each with its parameters' JSON Schema, and the tool choice. */
export function ToolsEditor({ form, edit, errorOf }: { form: VersionForm; edit: Edit; errorOf: ErrorOf }) {
  const prefix = useId();
  const focusAfterRender = useFocusAfterRender();
  const buttonId = (key: string, which: "up" | "down") => `${prefix}-${key}-${which}`;
  return (
    <section aria-labelledby="tools-heading" className="flex flex-col gap-3">
      <div>
        <h2 id="tools-heading" className="text-lg font-semibold">
          Tools
        </h2>
        <p className="text-sm text-slate-700">Functions the model may call; the parameters are a JSON Schema with <code className="font-mono">&quot;type&quot;: &quot;object&quot;</code>.</p>
      </div>
      {form.tools.length > 0 && (
        <ol className="flex flex-col gap-3">
          {form.tools.map((t, i) => {
            const n = i + 1;
            const path = `tool:${t.key}`;
            return (
              <li key={t.key} aria-label={`Tool ${n}`} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-3">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <h3 className="text-sm font-semibold">
                    Tool {n}
                    {t.name && <code className="ml-2 font-mono font-normal text-slate-700">{t.name}</code>}
                  </h3>
                  <CardActions
                    name={`tool ${n}`}
                    index={i}
                    count={form.tools.length}
                    idOf={(which) => buttonId(t.key, which)}
                    onMove={(by) => {
                      edit((f) => moveTool(f, t.key, by));
                      focusAfterRender(buttonId(t.key, by === -1 ? "up" : "down"));
                    }}
                    onRemove={() => edit((f) => removeTool(f, t.key))}
                  />
                </div>
                <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
                  <Field label={<><span className="sr-only">Tool {n} </span>Name</>} hint="Letters, digits, _ and -, like lookup_order." error={errorOf(`${path}.name`)}>
                    {(props) => <input {...props} value={t.name} onChange={(e) => edit((f) => updateTool(f, t.key, { name: e.target.value }))} className={`${INPUT_CLASS} font-mono`} />}
                  </Field>
                  <div className="md:col-span-2">
                    <Field label={<><span className="sr-only">Tool {n} </span>Description</>} hint="When the model should call it." error={errorOf(`${path}.description`)}>
                      {(props) => <input {...props} value={t.description} onChange={(e) => edit((f) => updateTool(f, t.key, { description: e.target.value }))} className={INPUT_CLASS} />}
                    </Field>
                  </div>
                </div>
                <CodeField
                  label={<><span className="sr-only">Tool {n} </span>Parameters (JSON Schema)</>}
                  mode="json"
                  value={t.parameters}
                  onChange={(parameters) => edit((f) => updateTool(f, t.key, { parameters }))}
                  problems={jsonParseProblems}
                  hint={`At most ${LLM_LIMITS.schemaBytes / 1024} KB.`}
                  error={errorOf(`${path}.parameters`) ?? jsonSchemaProblem(t.parameters)?.message}
                />
              </li>
            );
          })}
        </ol>
      )}
      <div className="flex flex-wrap items-end gap-4">
        <Button onClick={() => edit(addTool)} disabled={form.tools.length >= LLM_LIMITS.tools}>
          Add tool
        </Button>
        <Field label="Tool choice" error={errorOf("toolChoice")}>
          {(props) => (
            <select {...props} value={form.toolChoice} onChange={(e) => edit((f) => ({ ...f, toolChoice: e.target.value }))} className={INPUT_CLASS}>
              <option value="">the provider&apos;s default</option>
              <option value="auto">auto: the model decides</option>
              <option value="none">none: no tool calls</option>
              <option value="required">required: call some tool</option>
              {form.tools
                .filter((t) => t.name.trim() !== "")
                .map((t) => (
                  <option key={t.key} value={`${TOOL_CHOICE_PREFIX}${t.name}`}>
                    always {t.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
      </div>
    </section>
  );
}

/** What the model must answer with: the provider's default, text, any JSON object, or JSON matching a schema. */
export function ResponseFormatEditor({ form, edit, errorOf }: { form: VersionForm; edit: Edit; errorOf: ErrorOf }) {
  const rf = form.responseFormat;
  const set = (patch: Partial<VersionForm["responseFormat"]>) => edit((f) => ({ ...f, responseFormat: { ...f.responseFormat, ...patch } }));
  return (
    <section aria-labelledby="response-heading" className="flex flex-col gap-3">
      <h2 id="response-heading" className="text-lg font-semibold">
        Response format
      </h2>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        <Field label="Format" error={errorOf("responseFormat.type") ?? (errorOf("responseFormat") && !errorOf("responseFormat.schema") ? errorOf("responseFormat") : undefined)}>
          {(props) => (
            <select {...props} value={rf.type} onChange={(e) => set({ type: e.target.value as ResponseType })} className={INPUT_CLASS}>
              {(Object.keys(RESPONSE_TYPE_LABELS) as ResponseType[]).map((type) => (
                <option key={type} value={type}>
                  {RESPONSE_TYPE_LABELS[type]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {rf.type === "json_schema" && (
          <>
            <Field label="Schema name" hint="Letters, digits, _ and -." error={errorOf("responseFormat.name")}>
              {(props) => <input {...props} value={rf.name} onChange={(e) => set({ name: e.target.value })} className={`${INPUT_CLASS} font-mono`} />}
            </Field>
            <Field label="Schema description" error={errorOf("responseFormat.description")}>
              {(props) => <input {...props} value={rf.description} onChange={(e) => set({ description: e.target.value })} className={INPUT_CLASS} />}
            </Field>
          </>
        )}
      </div>
      {rf.type === "json_schema" && (
        <>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={rf.strict} onChange={(e) => set({ strict: e.target.checked })} />
            Strict: the provider holds the answer to the schema exactly
          </label>
          <CodeField
            label="Response schema (JSON Schema)"
            mode="json"
            value={rf.schema}
            onChange={(schema) => set({ schema })}
            problems={jsonParseProblems}
            hint={`At most ${LLM_LIMITS.schemaBytes / 1024} KB.`}
            error={errorOf("responseFormat.schema") ?? jsonSchemaProblem(rf.schema)?.message}
            minLines={6}
          />
        </>
      )}
    </section>
  );
}
