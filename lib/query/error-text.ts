// The server's error messages in the words of the form a person filled in. The API names fields by
// their paths in backticks ("The `currentPassword` field must not be empty."); a person sees
// labels ("Current password"). Each form passes the labels it shows, keyed by the API path, and
// every message goes through here: one mapping, data per form. Pure.

export interface ProblemDetail {
  path: string;
  message: string;
}

/**
 * A form's labels by API field path. A `*` segment matches any one segment; `{1}`, `{2}` in the
 * label stand for the segments the stars matched, list indices counted from 1:
 * `{ "stages.*.percent": "Stage {1} canary %" }` names `stages.0.percent` "Stage 1 canary %".
 */
export type FieldLabels = Readonly<Record<string, string>>;

export const NO_LABELS: FieldLabels = {};

const INDEX = /^\d+$/;

/** The label a path has in `labels`, by its own entry or a pattern; null when none names it. */
function labelled(path: string, labels: FieldLabels): string | null {
  if (Object.hasOwn(labels, path)) return labels[path];
  const segments = path.split(".");
  for (const [pattern, label] of Object.entries(labels)) {
    if (!pattern.includes("*")) continue;
    const parts = pattern.split(".");
    if (parts.length !== segments.length) continue;
    if (!parts.every((part, i) => part === "*" || part === segments[i])) continue;
    const matched = segments.filter((_segment, i) => parts[i] === "*");
    return label.replace(/\{(\d+)\}/g, (whole, n: string) => {
      const value = matched[Number(n) - 1];
      return value === undefined ? whole : INDEX.test(value) ? String(Number(value) + 1) : value;
    });
  }
  return null;
}

/** `maxErrorRate` → "max error rate", `top_p` → "top p", `2` → "3" (lists count from 1 for people). */
function words(segment: string): string {
  if (INDEX.test(segment)) return String(Number(segment) + 1);
  return segment
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * What a person calls the field at `path`: its label, or the label of the nearest labelled part
 * holding it followed by the rest in words ("Tool 1 parameters properties email"), or, for a field
 * the form does not label, the path in words ("Canary version id").
 */
export function fieldLabel(path: string, labels: FieldLabels = NO_LABELS): string {
  const segments = path.split(".");
  for (let end = segments.length; end > 0; end--) {
    const label = labelled(segments.slice(0, end).join("."), labels);
    if (label !== null) return [label, ...segments.slice(end).map(words)].join(" ");
  }
  return capitalized(segments.map(words).join(" "));
}

const NAME = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

/**
 * A message with its backticked names in the person's words: "The `x` field" becomes x's label,
 * a name the form labels (beside `parent`, or at the top) becomes that label, and anything else
 * (a value such as a config key or a tool name) is quoted.
 */
export function plainMessage(message: string, labels: FieldLabels = NO_LABELS, parent = ""): string {
  return message
    .replace(/\bThe `([^`]+)` field\b/g, (_whole, path: string) => fieldLabel(path, labels))
    .replace(/`([^`]*)`/g, (_whole, name: string) => {
      const beside = parent ? labelled(`${parent}.${name}`, labels) : null;
      const label = NAME.test(name) ? (beside ?? labelled(name, labels)) : null;
      return label ?? `"${name}"`;
    });
}

const parentOf = (path: string) => path.split(".").slice(0, -1).join(".");

/** One problem as a sentence about its field: "Current password must not be empty." */
export function problemSentence(detail: ProblemDetail, labels: FieldLabels = NO_LABELS): string {
  const message = plainMessage(detail.message, labels, parentOf(detail.path));
  if (detail.path === "(root)") return `The request ${message}.`;
  return `${fieldLabel(detail.path, labels)} ${message}.`;
}

/** A detail's message alone, for showing under its field (whose label is already there). */
export function detailText(detail: ProblemDetail, labels: FieldLabels = NO_LABELS): string {
  return plainMessage(detail.message, labels, parentOf(detail.path));
}

/**
 * The headline of an error the API answered. A 400's message is the first problem and a count of
 * the rest (lib/validation.ts); it is rebuilt from the details with the form's labels. Other
 * messages keep their words, with their backticked names mapped.
 */
export function errorSentence(error: { code?: string; message: string; details?: readonly ProblemDetail[] }, labels: FieldLabels = NO_LABELS): string {
  const [first, ...rest] = error.details ?? [];
  if (error.code !== "invalid_request" || !first || first.path === "(root)") return plainMessage(error.message, labels);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
  return `${fieldLabel(first.path, labels)} ${plainMessage(first.message, labels, parentOf(first.path))}${more}.`;
}
