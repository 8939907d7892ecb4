import { Button } from "./button";

/** A dialog form's footer: Cancel, and the submit button that disables and says so while pending. */
export function FormActions({ onCancel, pending, label, pendingLabel, disabled = false, variant = "primary" }: { onCancel: () => void; pending: boolean; label: string; pendingLabel: string; disabled?: boolean; variant?: "primary" | "danger" }) {
  return (
    <div className="flex justify-end gap-2">
      <Button onClick={onCancel} disabled={pending}>
        Cancel
      </Button>
      <Button type="submit" variant={variant} disabled={pending || disabled}>
        {pending ? pendingLabel : label}
      </Button>
    </div>
  );
}
