"use client";

import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { CodeField } from "@/components/ui/code-editor";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { templateProblems, type MessageAnalysis } from "@/lib/console/template-preview";
import { ROLE_OPTIONS, type MessageDraft, type MessageRole, type VersionForm } from "@/lib/console/version-form";
import { addMessage, moveMessage, removeMessage, updateMessage } from "@/lib/console/version-form-edits";
import { counted } from "@/lib/plural";
import { LLM_LIMITS } from "@/lib/release/llm-settings";
import type { TemplateProblem } from "@/lib/template/parse";
import { CardActions, useFocusAfterRender } from "./card-actions";
import { ROLE_STYLE, type Edit, type ErrorOf } from "./editor-parts";

/** The messages of the template: a card each, in order, with role, text, and move/remove buttons. */
export function MessageListEditor({ form, edit, errorOf, analysis }: { form: VersionForm; edit: Edit; errorOf: ErrorOf; analysis: MessageAnalysis }) {
  const prefix = useId();
  const focusAfterRender = useFocusAfterRender();
  const [announcement, setAnnouncement] = useState("");
  const buttonId = (key: string, which: "up" | "down") => `${prefix}-${key}-${which}`;
  const move = (message: MessageDraft, index: number, by: -1 | 1) => {
    edit((f) => moveMessage(f, message.key, by));
    // Focus stays on the button pressed, which moved with its card.
    const to = index + by;
    focusAfterRender(buttonId(message.key, by === -1 ? "up" : "down"));
    setAnnouncement(`Message ${index + 1} moved ${by === -1 ? "up" : "down"}; it is now message ${to + 1}.`);
  };
  return (
    <section aria-labelledby="messages-heading" className="flex flex-col gap-3">
      <div>
        <h2 id="messages-heading" className="text-lg font-semibold">
          Messages
        </h2>
        <p className="text-sm text-slate-700">
          The chat template, in order. Write <code className="rounded bg-amber-100 px-1 font-mono text-amber-950">{"{{name}}"}</code> where your app fills in a value,{" "}
          <code className="rounded bg-violet-100 px-1 font-mono text-violet-950">{"{{#name}}…{{/name}}"}</code> for text shown only when it has one.
        </p>
      </div>
      {errorOf("messages") && <p className="text-xs font-medium text-red-700">{errorOf("messages")}</p>}
      <ol className="flex flex-col gap-3">
        {form.messages.map((m, i) => (
          <MessageCard
            key={m.key}
            message={m}
            index={i}
            count={form.messages.length}
            edit={edit}
            errorOf={errorOf}
            problems={analysis.problems.get(m.key)}
            buttonId={(which) => buttonId(m.key, which)}
            onMove={(by) => move(m, i, by)}
          />
        ))}
      </ol>
      <p aria-live="polite" className="sr-only">
        {announcement}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => edit((f) => addMessage(f))} disabled={form.messages.length >= LLM_LIMITS.messages}>
          Add message
        </Button>
        <Button onClick={() => edit((f) => addMessage(f, "placeholder"))} disabled={form.messages.length >= LLM_LIMITS.messages}>
          Add conversation history
        </Button>
      </div>
    </section>
  );
}

function MessageCard({ message: m, index, count, edit, errorOf, problems, buttonId, onMove }: {
  message: MessageDraft;
  index: number;
  count: number;
  edit: Edit;
  errorOf: ErrorOf;
  problems: readonly TemplateProblem[] | undefined;
  buttonId: (which: "up" | "down") => string;
  onMove: (by: -1 | 1) => void;
}) {
  const n = index + 1;
  const headingId = useId();
  const path = `message:${m.key}`;
  return (
    <li aria-labelledby={headingId} className={`flex flex-col gap-3 rounded-lg border border-l-4 border-slate-200 bg-white p-3 ${ROLE_STYLE[m.role].card}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex items-center gap-2">
          <h3 id={headingId} className="text-sm font-semibold">
            Message {n}
          </h3>
          <label className="sr-only" htmlFor={`${headingId}-role`}>
            Message {n} role
          </label>
          <select
            id={`${headingId}-role`}
            value={m.role}
            onChange={(e) => edit((f) => updateMessage(f, m.key, { role: e.target.value as MessageRole }))}
            aria-invalid={errorOf(`${path}.role`) ? true : undefined}
            className={`${INPUT_CLASS} max-w-[14rem] py-1`}
          >
            {ROLE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <CardActions name={`message ${n}`} index={index} count={count} idOf={buttonId} onMove={onMove} onRemove={() => edit((f) => removeMessage(f, m.key))} canRemove={count > 1} />
      </div>
      {errorOf(path) && !errorOf(`${path}.content`) && !errorOf(`${path}.name`) && <p className="text-xs font-medium text-red-700">{errorOf(path)}</p>}
      {m.role === "placeholder" ? (
        <Field
          label={<><span className="sr-only">Message {n} </span>History name</>}
          hint="Your app puts the conversation's earlier turns here; /api/route returns this message as it is."
          error={errorOf(`${path}.name`)}
        >
          {(props) => <input {...props} value={m.name} onChange={(e) => edit((f) => updateMessage(f, m.key, { name: e.target.value }))} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
      ) : (
        <CodeField
          label={<><span className="sr-only">Message {n} </span>Content</>}
          mode="template"
          value={m.content}
          onChange={(content) => edit((f) => updateMessage(f, m.key, { content }))}
          problems={templateProblems}
          hint={`${counted(m.content.split("\n").length, "line")}, ${counted(m.content.length, "character")} (at most ${LLM_LIMITS.messageChars.toLocaleString("en-US")}).`}
          error={errorOf(`${path}.content`) ?? problems?.[0]?.message}
          placeholderText={m.role === "user" ? "e.g. {{question}}" : undefined}
        />
      )}
    </li>
  );
}
