import { useId } from "react";
import { INPUT_CLASS } from "./field";

/**
 * A select with its label above it (the dashboard's and the audit log's filters, the config page's
 * settings). Labelled by id, not wrapped in its label: a wrapped select's selected option joins
 * its accessible name ("Show All rollouts" instead of "Show").
 */
export function LabeledSelect<T extends string>({
  label,
  value,
  onChange,
  options,
  disabled,
  describedBy,
}: {
  label: string;
  value: T;
  onChange: (value: T) => void;
  options: readonly { value: T; label: string }[];
  disabled?: boolean;
  /** The id of a hint that describes the choice. */
  describedBy?: string;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1 text-sm font-medium">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)} disabled={disabled} aria-describedby={describedBy} className={INPUT_CLASS}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
