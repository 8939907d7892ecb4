export function EmptyState({ origin }: { origin: string }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8">
      <h2 className="text-lg font-semibold">No configs yet</h2>
      <p className="mt-2 text-slate-600">
        A config is one LLM feature of your app, such as <code className="font-mono">support-chat</code>. To ship a
        change to it safely:
      </p>
      <ol className="mt-4 list-decimal space-y-2 pl-6 text-slate-700">
        <li>
          Create the config — with an admin API key from <code className="font-mono">npm run cli -- api-key create</code>:
          <pre className="mt-2 overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-sm text-slate-100">
            {`curl -X POST ${origin}/api/admin/configs \\
  -H "Authorization: Bearer $LLM_CANARY_KEY" -H "Content-Type: application/json" \\
  -d '{"key":"support-chat","name":"Support chat"}'`}
          </pre>
        </li>
        <li>Add its first version (model, system prompt, parameters): it becomes the stable version.</li>
        <li>Save a changed version and start a canary: a small, sticky share of users gets it first.</li>
      </ol>
    </div>
  );
}
