import type { VersionForm } from "@/lib/console/version-form";
import type { MessageRole } from "@/lib/console/version-form";

// What the version editor's parts share: how they change the form and find their messages.

/** Applies one of the pure edits (lib/console/version-form-edits.ts) to the form. */
export type Edit = (change: (form: VersionForm) => VersionForm) => void;
/** The message to show under an input, by its input path (lib/console/version-body.ts). */
export type ErrorOf = (path: string) => string | undefined;

/** A message card's accent and its role's badge, by role. */
export const ROLE_STYLE: Record<MessageRole, { card: string; badge: string }> = {
  system: { card: "border-l-slate-500", badge: "bg-slate-100 text-slate-800" },
  developer: { card: "border-l-indigo-500", badge: "bg-indigo-100 text-indigo-900" },
  user: { card: "border-l-blue-600", badge: "bg-blue-100 text-blue-900" },
  assistant: { card: "border-l-green-600", badge: "bg-green-100 text-green-900" },
  placeholder: { card: "border-l-amber-500 border-dashed", badge: "bg-amber-100 text-amber-900" },
};
