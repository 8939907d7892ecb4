"use client";

import { FormActions } from "@/components/ui/form-actions";
import { DataTable } from "@/components/ui/data-table";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { keyConfigsText, keyCreatorText } from "@/lib/auth/schemas";
import { API_KEY_SCOPES, type ApiKeyScope } from "@/lib/auth/scopes";
import { fieldError } from "@/lib/query/api";
import { configQueries } from "@/lib/query/configs";
import { settingsApi, settingsKeys, settingsQueries, type ApiKeyWire } from "@/lib/query/settings";
import { OneTimeSecret } from "./one-time-secret";
import { SettingsSection } from "./settings-section";

/** The new-key form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = { name: "Name", scopes: "Scopes", configs: "Configs", "configs.*": "Config {1}" } as const;

const SCOPE_HINTS: Record<ApiKeyScope, string> = {
  route: "ask /api/route which version a user gets",
  metrics: "report outcomes and feedback",
  gateway: "call models through the OpenAI-compatible /v1/chat/completions, which routes and records by itself",
  admin: "the whole admin API, like an admin user",
};

export function ApiKeys() {
  const keys = useQuery(settingsQueries.apiKeys());
  const [creating, setCreating] = useState(false);
  return (
    <SettingsSection title="API keys" actionLabel="Create API key" onAction={() => setCreating(true)}>
      <p className="text-sm text-slate-700">Client apps send a key as <code className="font-mono">Authorization: Bearer &lt;key&gt;</code>. Only a hash is stored: a key is shown once, when it is created.</p>
      <QueryState query={keys} label="API keys" minHeight="h-24">
        {() =>
          keys.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No API keys yet.</p>
          ) : (
            <DataTable minWidth="min-w-[760px]" columns={["Name", "Scopes", "Configs", "Created", "Last used", "State"]}>
              {keys.data!.map((k) => (
                <KeyRow key={k.id} apiKey={k} />
              ))}
            </DataTable>
          )
        }
      </QueryState>
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} />}
    </SettingsSection>
  );
}

function KeyRow({ apiKey: k }: { apiKey: ApiKeyWire }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: () => settingsApi.revokeApiKey(k.id),
    onSuccess: () => {
      setConfirming(false);
      return queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys });
    },
  });
  return (
    <tr className="border-t border-slate-200">
      <td className="px-4 py-2">
        <div className="font-medium">{k.name}</div>
        <div className="font-mono text-xs text-slate-600">{k.selector}</div>
      </td>
      <td className="px-4 py-2">{k.scopes.join(", ")}</td>
      <td className="px-4 py-2">
        {k.configs === null ? <span className="text-slate-600">{keyConfigsText(null)}</span> : <span className="font-mono text-xs">{keyConfigsText(k.configs)}</span>}
      </td>
      <td className="px-4 py-2">
        <Time value={k.createdAt} />
        <div className="text-xs text-slate-600">by {keyCreatorText(k.createdBy)}</div>
      </td>
      <td className="px-4 py-2">{k.lastUsedAt ? <Time value={k.lastUsedAt} /> : <span className="text-slate-600">never</span>}</td>
      <td className="px-4 py-2">
        {k.revokedAt ? (
          <Badge tone="gray">revoked</Badge>
        ) : (
          <span className="flex items-center gap-2">
            <Badge tone="green">active</Badge>
            <Button variant="danger" onClick={() => setConfirming(true)} aria-label={`Revoke ${k.name}`}>
              Revoke
            </Button>
          </span>
        )}
        {confirming && (
          <Dialog open onClose={() => setConfirming(false)} title={`Revoke "${k.name}"?`}>
            <p className="mb-4">Every app using this key is refused within a second, on every instance. This cannot be undone.</p>
            <Form onSubmit={() => revoke.mutate()}>
              <FormError error={revoke.error} />
              <FormActions onCancel={() => setConfirming(false)} pending={revoke.isPending} variant="danger" label="Revoke key" pendingLabel="Revoking…" />
            </Form>
          </Dialog>
        )}
      </td>
    </tr>
  );
}

function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["route", "metrics"]);
  // null: every config; a list only for client keys (an admin key reaches every config anyway).
  const [configs, setConfigs] = useState<string[] | null>(null);
  const limited = configs !== null && !scopes.includes("admin");
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => settingsApi.createApiKey({ name, scopes, ...(limited ? { configs } : {}) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsKeys.apiKeys }),
  });
  const key = create.data?.key;
  return (
    <Dialog open onClose={onClose} title={key ? "Your new API key" : "Create API key"}>
      {key ? (
        <OneTimeSecret label="New API key" secret={key} copyable onDone={onClose}>
          Copy it now: it is not shown again.
        </OneTimeSecret>
      ) : (
        <Form onSubmit={() => create.mutate()}>
          <Field label={LABELS.name} hint="Where it is used, like checkout-service prod." error={fieldError(create.error, "name", LABELS)}>
            {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required className={INPUT_CLASS} autoFocus />}
          </Field>
          <fieldset>
            <legend className="mb-1 text-sm font-medium">{LABELS.scopes}</legend>
            {API_KEY_SCOPES.map((scope) => (
              <label key={scope} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} />
                <span className="font-mono">{scope}</span> — {SCOPE_HINTS[scope]}
              </label>
            ))}
            {fieldError(create.error, "scopes", LABELS) && <p className="text-xs font-medium text-red-700">{fieldError(create.error, "scopes", LABELS)}</p>}
          </fieldset>
          <ConfigChoice configs={configs} onChange={setConfigs} adminKey={scopes.includes("admin")} error={fieldError(create.error, "configs", LABELS)} />
          <FormError error={create.error} labels={LABELS} />
          <FormActions onCancel={onClose} pending={create.isPending} label="Create key" pendingLabel="Creating…" />
        </Form>
      )}
    </Dialog>
  );
}

/** Every config, or only the ticked ones: the configs a client key may route, read and report for. */
function ConfigChoice({ configs, onChange, adminKey, error }: { configs: string[] | null; onChange: (c: string[] | null) => void; adminKey: boolean; error?: string }) {
  const all = useQuery(configQueries.list());
  const keys = (all.data ?? []).map((c) => c.key);
  return (
    <fieldset disabled={adminKey}>
      <legend className="mb-1 text-sm font-medium">{LABELS.configs}</legend>
      {adminKey && <p className="text-xs text-slate-600">An admin key reaches every config through the admin API.</p>}
      <label className="flex items-center gap-2 text-sm">
        <input type="radio" name="key-configs" checked={configs === null || adminKey} onChange={() => onChange(null)} />
        All configs, including ones created later
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="radio" name="key-configs" checked={configs !== null && !adminKey} onChange={() => onChange([])} />
        Only these configs
      </label>
      {configs !== null && !adminKey && (
        <div role="group" aria-label="Configs this key may use" className="ml-6 flex max-h-40 flex-col overflow-auto">
          {keys.length === 0 && <p className="text-xs text-slate-600">No configs yet.</p>}
          {keys.map((key) => (
            <label key={key} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={configs.includes(key)} onChange={(e) => onChange(e.target.checked ? [...configs, key] : configs.filter((c) => c !== key))} />
              <span className="font-mono">{key}</span>
            </label>
          ))}
        </div>
      )}
      {error && <p className="text-xs font-medium text-red-700">{error}</p>}
    </fieldset>
  );
}
