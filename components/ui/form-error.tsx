import { NO_LABELS, problemSentence, type FieldLabels } from "@/lib/query/error-text";
import { ApiError, errorMessage } from "@/lib/query/api";

/**
 * The server's message for a failed mutation, announced to screen readers, in the words of the
 * form: `labels` are the labels its fields show, by API path, so a problem with `currentPassword`
 * reads "Current password must not be empty."
 */
export function FormError({ error, labels = NO_LABELS }: { error: unknown; labels?: FieldLabels }) {
  if (!error) return null;
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
      <p>{errorMessage(error, labels)}</p>
      {details.length > 1 && (
        <ul className="mt-1 list-disc pl-5">
          {details.map((d) => (
            <li key={d.path + d.message}>{problemSentence(d, labels)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
