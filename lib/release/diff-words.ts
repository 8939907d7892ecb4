// How the version diff writes values in its sentences ("temperature 0.7 → 0.5", "tool
// `lookup_order` gained required parameter `email`"). Pure.
import { counted } from "../plural";

/** A value as a reviewer reads it: strings bare (or quoted when empty or cut), objects as JSON. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string") {
    return value === "" ? '""' : value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : value;
  }
  if (typeof value === "object") return cut(canonical(value), 80);
  return String(value);
}

/** Quoted text, cut to a preview: “Be brief.” */
export function quote(text: string, max = 40): string {
  const line = text.replace(/\s+/g, " ").trim();
  return `“${cut(line, max)}”`;
}

export const code = (name: string) => `\`${name}\``;

/** "1 line", "3 lines". */
export const count = (n: number, noun: string) => counted(n, noun);

/** "3 lines added, 1 removed", "1 line added", "2 lines removed". */
export function lineCounts(added: number, removed: number): string {
  if (added && removed) return `${count(added, "line")} added, ${removed} removed`;
  if (added) return `${count(added, "line")} added`;
  if (removed) return `${count(removed, "line")} removed`;
  return "whitespace only";
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** JSON with sorted keys, so {a,b} and {b,a} compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export const same = (a: unknown, b: unknown) => canonical(a ?? null) === canonical(b ?? null);
