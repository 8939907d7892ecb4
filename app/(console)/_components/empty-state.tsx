"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => undefined;

/**
 * The console's address as the browser reached it, for examples to copy: the server only knows
 * the Host header it was given (behind a proxy, or bound to 0.0.0.0, that is not a URL anyone can
 * use). `fallback` is what the server renders before the browser takes over.
 */
function useBrowserOrigin(fallback: string): string {
  return useSyncExternalStore(subscribe, () => window.location.origin, () => fallback);
}

export function EmptyState({ origin: serverOrigin, canCreate }: { origin: string; canCreate: boolean }) {
  const origin = useBrowserOrigin(serverOrigin);
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8">
      <h2 className="text-lg font-semibold">No configs yet</h2>
      <p className="mt-2 text-slate-700">
        A config is one LLM feature of your app, such as <code className="font-mono">support-chat</code>. To ship a change to it safely:
      </p>
      <ol className="mt-4 list-decimal space-y-2 pl-6 text-slate-800">
        <li>
          {canCreate ? (
            <>Create the config with <strong>New config</strong> above, or from a script with an admin API key:</>
          ) : (
            <>An editor creates the config here, or from a script with an admin API key:</>
          )}
          <pre className="mt-2 relative overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-sm text-slate-100">
            {`curl -X POST ${origin}/api/admin/configs \\
  -H "Authorization: Bearer $LLM_CANARY_KEY" -H "Content-Type: application/json" \\
  -d '{"key":"support-chat","name":"Support chat"}'`}
          </pre>
        </li>
        <li>Write its first version (model, system prompt, parameters): it becomes the stable version.</li>
        <li>Save a changed version and start a canary: a small, sticky share of users gets it first, and the console compares it with stable live.</li>
      </ol>
      <p className="mt-4 text-sm text-slate-700">
        Want to see it work first? Run <code className="font-mono">npm run demo</code>: it seeds two configs and sends simulated traffic.
      </p>
    </div>
  );
}
