"use client";

import { useCan } from "@/components/providers";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { gatewaySettingsBody } from "@/lib/console/gateway-form";
import type { ConfigWire } from "@/lib/query/configs";
import { useConfigSettings } from "./use-config-settings";

const LABELS = { gatewayClientOverrides: "Clients may override" } as const;

/**
 * How the OpenAI-compatible gateway treats this config's calls: everyone who reads the config sees
 * the settings; editors (configs:write) change them. Keyed by the config's `updatedAt` where it is
 * used, so a save (or someone else's) starts the form from the stored values.
 */
export function GatewaySection({ config }: { config: ConfigWire }) {
  const canWrite = useCan("configs:write");
  const { edited, setEdited, body, save } = useConfigSettings(config.key, { gatewayClientOverrides: config.gatewayClientOverrides }, gatewaySettingsBody);
  return (
    <section aria-labelledby="gateway-heading" className="rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="gateway-heading" className="mb-2 text-lg font-semibold">
        Gateway
      </h2>
      <p className="mb-3 max-w-3xl text-sm text-slate-700">
        Apps can call this config through the OpenAI-compatible gateway: an official OpenAI client pointed at <code className="font-mono">/v1</code> on this server, with an
        API key of the <code className="font-mono">gateway</code> scope, sending <code className="font-mono">model: &quot;{config.key}&quot;</code> and the end user as{" "}
        <code className="font-mono">user</code>. The gateway routes the user, calls the version&apos;s provider connection and records the outcome.
      </p>
      <Form onSubmit={() => save.mutate()} className="flex flex-wrap items-end gap-x-6 gap-y-3">
        <label className="flex items-center gap-2 pb-1.5 text-sm">
          <input
            type="checkbox"
            checked={edited.gatewayClientOverrides}
            onChange={(e) => setEdited({ ...edited, gatewayClientOverrides: e.target.checked })}
            disabled={!canWrite}
          />
          Clients may override the version&apos;s sampling parameters (temperature, max tokens, tools, response format…)
        </label>
        {canWrite && (
          <Button type="submit" variant="primary" disabled={Object.keys(body).length === 0 || save.isPending}>
            {save.isPending ? "Saving…" : "Save gateway settings"}
          </Button>
        )}
        <p className="basis-full text-xs text-slate-600">
          The model is always the version&apos;s. A call&apos;s samples (the client&apos;s messages and the answer) are kept as the config&apos;s sample policy says.
        </p>
        <div className="basis-full empty:hidden">
          <FormError error={save.error} labels={LABELS} />
        </div>
      </Form>
    </section>
  );
}
