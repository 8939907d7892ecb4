"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { useCan } from "@/components/providers";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { LINK } from "@/components/ui/styles";
import { editsOf, messageName, type ColumnDraft, type EditDraft, type PlaygroundVersion } from "@/lib/console/playground-form";
import type { ColumnHeadWire, LiveColumn } from "@/lib/query/playground-run";
import type { VersionWire } from "@/lib/query/configs";
import { ColumnOutput } from "./column-output";
import { SaveVersionDialog } from "./save-version-dialog";

/** One column: what it calls (a version, or edits of one, and the connection) and what came back. */
export function ColumnCard(props: {
  configKey: string;
  index: number;
  column: ColumnDraft;
  versions: PlaygroundVersion[];
  connections: { id: string; name: string }[];
  live: LiveColumn | null;
  head: ColumnHeadWire | null;
  running: boolean;
  onChange: (patch: Partial<ColumnDraft>) => void;
  onRemove?: () => void;
}) {
  const { configKey, index, column, versions, connections, onChange } = props;
  const headingId = useId();
  const canWrite = useCan("configs:write");
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<VersionWire | null>(null);
  const version = versions.find((v) => v.id === column.versionId) ?? versions[0];
  const own = connections.find((c) => c.id === version.providerId);
  const name = `Column ${index + 1}`;
  return (
    <section aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="flex items-center gap-2">
          <h3 id={headingId} className="font-semibold">
            {name}
          </h3>
          {column.edits && <Badge tone="amber">edited</Badge>}
        </span>
        {props.onRemove && (
          <Button onClick={props.onRemove} aria-label={`Remove column ${index + 1}`}>
            Remove
          </Button>
        )}
      </div>
      <Field label="Version">
        {(p) => (
          <select {...p} value={version.id} onChange={(e) => onChange({ versionId: e.target.value, edits: null })} className={INPUT_CLASS}>
            {versions.map((v) => (
              <option key={v.id} value={v.id}>
                {v.label} · {v.model}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Connection" hint={!own && !column.providerId ? "This version names no connection: pick one to run it." : undefined}>
        {(p) => (
          <select {...p} value={column.providerId} onChange={(e) => onChange({ providerId: e.target.value })} className={INPUT_CLASS}>
            <option value="">{own ? `The version's: ${own.name}` : "None"}</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {column.edits && <EditFields name={name} edits={column.edits} onChange={(edits) => onChange({ edits })} />}
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => onChange({ edits: column.edits ? null : editsOf(version) })}>{column.edits ? "Discard edits" : "Edit"}</Button>
        {canWrite && (
          <Button onClick={() => setSaving(true)} aria-label={`Save column ${index + 1} as a new version`}>
            Save as new version
          </Button>
        )}
      </div>
      {saved && (
        <p role="status" className="text-sm text-green-900">
          Saved as{" "}
          <Link href={`/configs/${configKey}/versions/${saved.id}`} className={`${LINK} font-mono`}>
            {saved.label}
          </Link>
          .
        </p>
      )}
      <ColumnOutput live={props.live} head={props.head} running={props.running} />
      {saving && (
        <SaveVersionDialog
          configKey={configKey}
          column={column}
          version={version}
          labels={versions.map((v) => v.label)}
          onClose={() => setSaving(false)}
          onSaved={(created) => {
            setSaved(created);
            setSaving(false);
          }}
        />
      )}
    </section>
  );
}

/** The edits a column offers: model, temperature, max tokens and each chat message's text (the API takes every setting). */
function EditFields({ name, edits, onChange }: { name: string; edits: EditDraft; onChange: (edits: EditDraft) => void }) {
  const set = (patch: Partial<EditDraft>) => onChange({ ...edits, ...patch });
  return (
    <fieldset className="flex flex-col gap-3 rounded-md border border-amber-200 bg-amber-50/40 p-3">
      <legend className="px-1 text-sm font-medium">Unsaved edits of {name.toLowerCase()}</legend>
      <Field label="Model">{(p) => <input {...p} value={edits.model} onChange={(e) => set({ model: e.target.value })} className={`${INPUT_CLASS} font-mono`} />}</Field>
      <div className="grid grid-cols-2 gap-2">
        <Field label="Temperature">{(p) => <input {...p} inputMode="decimal" value={edits.temperature} onChange={(e) => set({ temperature: e.target.value })} className={INPUT_CLASS} />}</Field>
        <Field label="Max tokens">{(p) => <input {...p} inputMode="numeric" value={edits.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} className={INPUT_CLASS} />}</Field>
      </div>
      {edits.messages.map((message, i) =>
        "content" in message ? (
          <Field key={i} label={messageName(message, i)}>
            {(p) => (
              <textarea
                {...p}
                rows={4}
                value={message.content}
                onChange={(e) => set({ messages: edits.messages.map((m, j) => (j === i && "content" in m ? { ...m, content: e.target.value } : m)) })}
                className={`${INPUT_CLASS} font-mono`}
              />
            )}
          </Field>
        ) : (
          <p key={i} className="text-xs text-slate-600">
            {messageName(message, i)}: {edits.messages.findIndex((m) => !("content" in m)) === i ? "the user message goes here." : "left out (the user message takes the first one)."}
          </p>
        ),
      )}
    </fieldset>
  );
}
