"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormActions } from "@/components/ui/form-actions";
import { FormError } from "@/components/ui/form-error";
import { newVersionBody, type ColumnDraft, type PlaygroundVersion } from "@/lib/console/playground-form";
import { VERSION_LABELS } from "@/lib/console/version-labels";
import { fieldError } from "@/lib/query/api";
import { configApi, configKeys, type VersionWire } from "@/lib/query/configs";
import { newVersionLabel } from "@/lib/release/version-label";

/**
 * "Save as new version": the column's settings — the version's, with its edits and the connection
 * picked for it — saved through the same endpoint the version editor uses, with the column's
 * version as the parent.
 */
export function SaveVersionDialog({ configKey, column, version, labels, onClose, onSaved }: { configKey: string; column: ColumnDraft; version: PlaygroundVersion; labels: string[]; onClose: () => void; onSaved: (created: VersionWire) => void }) {
  const [label, setLabel] = useState(() => newVersionLabel(labels));
  const [description, setDescription] = useState(() => `From the playground: ${version.label}${column.edits ? " with edits" : ""}.`);
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => configApi.createVersion(configKey, newVersionBody(column, version, label, description)),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: configKeys.detail(configKey) });
      onSaved(created);
    },
  });
  return (
    <Dialog open onClose={onClose} title={`Save ${version.label}${column.edits ? " with edits" : ""} as a new version`}>
      <Form onSubmit={() => save.mutate()}>
        <Field label={VERSION_LABELS.label} hint="Unique in this config, like v1.3.0." error={fieldError(save.error, "label")}>
          {(props) => <input {...props} value={label} onChange={(e) => setLabel(e.target.value)} className={`${INPUT_CLASS} font-mono`} autoFocus />}
        </Field>
        <Field label={VERSION_LABELS.description} hint="What changed and why." error={fieldError(save.error, "description")}>
          {(props) => <input {...props} value={description} onChange={(e) => setDescription(e.target.value)} className={INPUT_CLASS} />}
        </Field>
        <FormError error={save.error} labels={VERSION_LABELS} />
        <FormActions onCancel={onClose} pending={save.isPending} label="Save version" pendingLabel="Saving…" />
      </Form>
    </Dialog>
  );
}
