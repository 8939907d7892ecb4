import { redactSecrets } from "./redact";

// What an audit event changed, field by field, from its before and after snapshots: the console
// lists these (`status: running → rolled_back`, `thresholds.maxErrorRate: 0.05 → 0.1`) above the
// full snapshots. Pure, so the page and its tests agree.
//
// Both snapshots go through the same mask the log is written with (./redact.ts) first: a secret
// is masked in the list as in the snapshots, also in an event written before masking existed. Two
// masked values look alike, so a change hidden behind the mask is not listed; the snapshots say no
// more either.

export type FieldChange =
  | { kind: "changed"; path: string; before: unknown; after: unknown }
  | { kind: "added"; path: string; after: unknown }
  | { kind: "removed"; path: string; before: unknown };

// Bookkeeping that changes with every write of its row; the event's own time already says when.
const QUIET_TOP_FIELDS = new Set(["updatedAt"]);

/**
 * The fields that differ between two snapshots, in the order the snapshots list them. Objects are
 * compared field by field at any depth (`a.b.c`); arrays of the same length item by item (`stages[2].percent`),
 * arrays whose length changed as one value. A snapshot that is absent (null: a create or delete)
 * gives an empty list: there is nothing to compare it with.
 */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  if (before == null || after == null) return [];
  const out: FieldChange[] = [];
  walk(redactSecrets(before), redactSecrets(after), "", out);
  return out.filter((change) => !QUIET_TOP_FIELDS.has(change.path));
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const fields = [...Object.keys(before), ...Object.keys(after).filter((field) => !Object.hasOwn(before, field))];
    for (const field of fields) {
      const inner = path ? `${path}.${field}` : field;
      if (!Object.hasOwn(after, field)) out.push({ kind: "removed", path: inner, before: before[field] });
      else if (!Object.hasOwn(before, field)) out.push({ kind: "added", path: inner, after: after[field] });
      else walk(before[field], after[field], inner, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, i) => walk(item, after[i], `${path}[${i}]`, out));
    return;
  }
  if (!sameJson(before, after)) out.push({ kind: "changed", path, before, after });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Equal as JSON values; field order does not matter. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return false;
}

/**
 * A value as one line for the list: a string as it is, anything else as compact JSON, cut at
 * `max` characters with an ellipsis (the full snapshots are one click away). `""` stays visible.
 */
export function changeValueText(value: unknown, max = 120): string {
  const text = typeof value === "string" ? (value === "" ? '""' : value) : (JSON.stringify(value) ?? String(value));
  const chars = [...text.replace(/\s*\n\s*/g, " ⏎ ")]; // by code point: an emoji is not cut in half
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : chars.join("");
}
