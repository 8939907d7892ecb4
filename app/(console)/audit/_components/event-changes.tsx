import { changeValueText, fieldChanges, type FieldChange } from "@/lib/audit/changes";

/**
 * What an audit event changed, field by field (`status: running → rolled_back`), and its full
 * before and after snapshots one click away. A create or delete has one snapshot only: nothing to
 * compare, so just the snapshot.
 */
export function EventChanges({ before, after }: { before: unknown; after: unknown }) {
  if (before == null && after == null) return null;
  const changes = fieldChanges(before, after);
  return (
    <div className="flex flex-col gap-1">
      {changes.length > 0 && (
        <ul aria-label="Changed fields" className="flex flex-col gap-0.5 text-xs">
          {changes.map((change) => (
            <li key={`${change.kind} ${change.path}`} className="break-words">
              <ChangeLine change={change} />
            </li>
          ))}
        </ul>
      )}
      {before != null && after != null && changes.length === 0 && <p className="text-xs text-slate-700">No field changed.</p>}
      <details>
        <summary className="cursor-pointer text-xs text-slate-700">Full before / after</summary>
        <div className="mt-1 grid grid-cols-1 gap-2 lg:grid-cols-2">
          <Snapshot label="Before" value={before} />
          <Snapshot label="After" value={after} />
        </div>
      </details>
    </div>
  );
}

function ChangeLine({ change }: { change: FieldChange }) {
  const path = <code className="font-mono font-medium">{change.path}</code>;
  switch (change.kind) {
    case "changed":
      return (
        <>
          {path}: <Value value={change.before} tone="old" /> → <Value value={change.after} tone="new" />
        </>
      );
    case "added":
      return (
        <>
          {path} added: <Value value={change.after} tone="new" />
        </>
      );
    case "removed":
      return (
        <>
          {path} removed (was <Value value={change.before} tone="old" />)
        </>
      );
  }
}

function Value({ value, tone }: { value: unknown; tone: "old" | "new" }) {
  return <span className={`font-mono ${tone === "old" ? "text-red-800" : "text-green-800"}`}>{changeValueText(value)}</span>;
}

function Snapshot({ label, value }: { label: string; value: unknown }) {
  return (
    <pre role="region" aria-label={label} tabIndex={0} className="max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs">
      {value == null ? "—" : JSON.stringify(value, null, 2)}
    </pre>
  );
}
