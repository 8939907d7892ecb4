"use client";

import { FormActions } from "@/components/ui/form-actions";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { fieldError } from "@/lib/query/api";
import { configApi, configKeys } from "@/lib/query/configs";

/** The fields' labels by API path: shown on the fields and in the server's messages. */
const LABELS = { key: "Key", name: "Name", description: "Description" } as const;

export function CreateConfigButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        New config
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New config">
        <CreateConfigForm onCancel={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

function CreateConfigForm({ onCancel }: { onCancel: () => void }) {
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => configApi.create({ key, name, description }),
    onSuccess: async (config) => {
      await queryClient.invalidateQueries({ queryKey: configKeys.list() });
      router.push(`/configs/${config.key}`);
    },
  });
  return (
    <Form onSubmit={() => create.mutate()}>
      <Field label={LABELS.key} hint="What client apps send as `config`: lower-case letters, digits and hyphens, like support-chat." error={fieldError(create.error, "key", LABELS)}>
        {(props) => <input {...props} value={key} onChange={(e) => setKey(e.target.value)} required className={`${INPUT_CLASS} font-mono`} autoFocus />}
      </Field>
      <Field label={LABELS.name} error={fieldError(create.error, "name", LABELS)}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required className={INPUT_CLASS} />}
      </Field>
      <Field label={LABELS.description} error={fieldError(create.error, "description", LABELS)}>
        {(props) => <textarea {...props} value={description} onChange={(e) => setDescription(e.target.value)} rows={2} className={INPUT_CLASS} />}
      </Field>
      <FormError error={create.error} labels={LABELS} />
      <FormActions onCancel={onCancel} pending={create.isPending} label="Create config" pendingLabel="Creating…" />
    </Form>
  );
}
