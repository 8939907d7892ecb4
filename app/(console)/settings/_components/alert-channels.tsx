"use client";

import { FormActions } from "@/components/ui/form-actions";
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
import { ALERT_EVENTS, CHANNEL_KINDS, DELIVERY_ERRORS, type AlertEvent } from "@/lib/alerts/schemas";
import { errorMessage, fieldError } from "@/lib/query/api";
import { settingsApi, settingsKeys, settingsQueries, type ChannelWire } from "@/lib/query/settings";
import { SettingsSection } from "./settings-section";

const KIND_NAMES: Record<(typeof CHANNEL_KINDS)[number], string> = { webhook: "Webhook (JSON, signed)", slack: "Slack incoming webhook", dingtalk: "DingTalk robot" };

/** The channel form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = { name: "Name", kind: "Kind", url: "URL", events: "Events", "events.*": "Event {1}", enabled: "Enabled" } as const;
const SECRET_LABELS = { webhook: "Signing secret (optional)", dingtalk: "Robot signing secret (optional)", slack: "Signing secret" } as const;

export function AlertChannels() {
  const channels = useQuery(settingsQueries.channels());
  const [editing, setEditing] = useState<ChannelWire | "new" | null>(null);
  return (
    <SettingsSection title="Alert channels" actionLabel="Add channel" onAction={() => setEditing("new")}>
      <p className="text-sm text-slate-700">Told about automatic and manual rollbacks, promotions, stage advances and judge warnings; failed deliveries are retried with backoff.</p>
      <QueryState query={channels} label="alert channels" minHeight="h-24">
        {() =>
          channels.data!.length === 0 ? (
            <p className="text-sm text-slate-700">No channels yet: nobody is told when the controller rolls back.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {channels.data!.map((c) => (
                <ChannelItem key={c.id} channel={c} onEdit={() => setEditing(c)} />
              ))}
            </ul>
          )
        }
      </QueryState>
      {editing && <ChannelDialog channel={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </SettingsSection>
  );
}

function ChannelItem({ channel: c, onEdit }: { channel: ChannelWire; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const test = useMutation({
    mutationFn: () => settingsApi.testChannel(c.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.deliveries(c.id) }),
  });
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{c.name}</span>
          <Badge tone="gray">{c.kind}</Badge>
          {c.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="amber">muted</Badge>}
          <span className="break-all font-mono text-xs text-slate-600">{c.url}</span>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Send a test alert to ${c.name}`}>
            {test.isPending ? "Sending…" : "Send test"}
          </Button>
          <Button onClick={() => setShowLog((s) => !s)} aria-expanded={showLog}>
            Delivery log
          </Button>
          <Button onClick={onEdit} aria-label={`Edit ${c.name}`}>
            Edit
          </Button>
        </div>
      </div>
      <p className="mt-1 text-xs text-slate-700">Events: {c.events.length ? c.events.join(", ") : "all"}</p>
      {test.data && (
        <p role="status" className={`mt-1 text-xs ${test.data.status === "delivered" ? "text-green-800" : "text-red-800"}`}>
          Test {test.data.status}
          {test.data.lastStatus !== null ? ` (HTTP ${test.data.lastStatus})` : ""}
          {test.data.lastError ? `: ${DELIVERY_ERRORS[test.data.lastError]}` : ""}
        </p>
      )}
      {test.error && <p role="alert" className="mt-1 text-xs text-red-800">{errorMessage(test.error)}</p>}
      {showLog && <DeliveryLog channelId={c.id} />}
    </li>
  );
}

function DeliveryLog({ channelId }: { channelId: string }) {
  const deliveries = useQuery(settingsQueries.deliveries(channelId));
  return (
    <QueryState query={deliveries} label="deliveries" minHeight="h-16">
      {() =>
        deliveries.data!.length === 0 ? (
          <p className="mt-2 text-xs text-slate-700">Nothing sent yet.</p>
        ) : (
          <table className="mt-2 w-full text-left text-xs">
            <thead className="text-slate-700">
              <tr>
                <th scope="col" className="py-1 font-medium">When</th>
                <th scope="col" className="py-1 font-medium">Event</th>
                <th scope="col" className="py-1 font-medium">Status</th>
                <th scope="col" className="py-1 font-medium">Attempts</th>
                <th scope="col" className="py-1 font-medium">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data!.map((d) => (
                <tr key={d.id} className="border-t border-slate-100">
                  <td className="py-1 pr-2"><Time value={d.createdAt} /></td>
                  <td className="py-1 pr-2 font-mono">{d.event}</td>
                  <td className="py-1 pr-2">{d.status}{d.status === "pending" && <> (next try <Time value={d.nextAttemptAt} />)</>}</td>
                  <td className="py-1 pr-2">{d.attempts}</td>
                  <td className="py-1 pr-2">
                    {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : ""} {d.lastError ? DELIVERY_ERRORS[d.lastError] : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </QueryState>
  );
}

function ChannelDialog({ channel, onClose }: { channel: ChannelWire | null; onClose: () => void }) {
  const [name, setName] = useState(channel?.name ?? "");
  const [kind, setKind] = useState<(typeof CHANNEL_KINDS)[number]>(channel?.kind ?? "webhook");
  // The stored URL is never shown whole (its path may be a token): blank on edit keeps it.
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [events, setEvents] = useState<AlertEvent[]>(channel?.events ?? []);
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const labels = { ...LABELS, secret: SECRET_LABELS[kind] };
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => {
      // A blank secret on edit keeps the stored one (it is never shown again).
      // Slack webhooks are not signed: switching a channel to Slack drops any stored secret.
      const body = { name, kind, ...(url || !channel ? { url } : {}), events, enabled, ...(kind === "slack" ? { secret: null } : secret ? { secret } : channel ? {} : { secret: null }) };
      return channel ? settingsApi.updateChannel(channel.id, body) : settingsApi.createChannel(body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKeys.channels });
      onClose();
    },
  });
  return (
    <Dialog open onClose={onClose} title={channel ? `Edit ${channel.name}` : "Add alert channel"}>
      <Form onSubmit={() => save.mutate()}>
        <Field label={labels.name} error={fieldError(save.error, "name", labels)}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required className={INPUT_CLASS} autoFocus />}
        </Field>
        <Field label={labels.kind} error={fieldError(save.error, "kind", labels)}>
          {(props) => (
            <select {...props} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} className={INPUT_CLASS}>
              {CHANNEL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_NAMES[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={labels.url} hint={channel ? `Stored: ${channel.url} (leave blank to keep it).` : undefined} error={fieldError(save.error, "url", labels)}>
          {(props) => <input {...props} type="url" value={url} onChange={(e) => setUrl(e.target.value)} required={!channel} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        {kind !== "slack" && (
          <Field
            label={labels.secret}
            hint={channel?.hasSecret ? "A secret is set; leave blank to keep it." : kind === "webhook" ? "Signs each body: X-LLM-Canary-Signature: sha256=HMAC(timestamp.body)." : "The robot's SEC… secret, if it signs."}
            error={fieldError(save.error, "secret", labels)}
          >
            {(props) => <input {...props} type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} className={INPUT_CLASS} />}
          </Field>
        )}
        <fieldset>
          <legend className="mb-1 text-sm font-medium">{labels.events} (none checked: all)</legend>
          <div className="grid grid-cols-2 gap-1">
            {ALERT_EVENTS.filter((e) => e !== "test").map((event) => (
              <label key={event} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={events.includes(event)} onChange={(e) => setEvents(e.target.checked ? [...events, event] : events.filter((x) => x !== event))} />
                <span className="font-mono text-xs">{event}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Enabled (unchecked: muted)
        </label>
        <FormError error={save.error} labels={labels} />
        <FormActions onCancel={onClose} pending={save.isPending} label="Save channel" pendingLabel="Saving…" />
      </Form>
    </Dialog>
  );
}
