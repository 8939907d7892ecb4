import { ApiError, errorMessage } from "@/lib/query/api";

/** The server's message for a failed mutation, announced to screen readers. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
      <p>{errorMessage(error)}</p>
      {details.length > 1 && (
        <ul className="mt-1 list-disc pl-5">
          {details.map((d) => (
            <li key={d.path + d.message}>
              <code className="font-mono">{d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
