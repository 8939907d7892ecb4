import { diffLines } from "diff";
import type { VersionDiffDto, VersionDto } from "./version-schemas";

// Semantic diff of two versions: which settings changed, in words a reviewer reads at a glance
// ("temperature 0.7 → 0.5"), plus a line diff of the system prompt. Pure.

type Compared = Pick<VersionDto, "id" | "label" | "model" | "systemPrompt" | "temperature" | "topP" | "maxTokens" | "retrievalStrategy" | "params" | "description">;

const SCALAR_FIELDS = ["model", "temperature", "topP", "maxTokens", "description"] as const;

export function diffVersions(from: Compared, to: Compared): VersionDiffDto {
  const changes: VersionDiffDto["changes"] = [];
  for (const field of SCALAR_FIELDS) {
    if (from[field] !== to[field]) {
      changes.push({ field, from: from[field], to: to[field], summary: `${field} ${show(from[field])} → ${show(to[field])}` });
    }
  }
  for (const field of ["retrievalStrategy", "params"] as const) {
    const before = from[field] ?? null;
    const after = to[field] ?? null;
    if (canonical(before) !== canonical(after)) {
      changes.push({ field, from: before, to: after, summary: `${field} ${describeObject(before)} → ${describeObject(after)}` });
    }
  }
  const prompt = diffPrompt(from.systemPrompt, to.systemPrompt);
  if (prompt.changed) {
    changes.push({
      field: "systemPrompt",
      from: null,
      to: null,
      summary: `systemPrompt +${prompt.added} −${prompt.removed} lines`,
    });
  }
  return { from: { id: from.id, label: from.label }, to: { id: to.id, label: to.label }, changes, prompt };
}

export function diffPrompt(before: string, after: string): VersionDiffDto["prompt"] {
  if (before === after) {
    return { changed: false, added: 0, removed: 0, lines: splitLines(before).map((text) => ({ op: "same", text })) };
  }
  const lines: VersionDiffDto["prompt"]["lines"] = [];
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    const op = part.added ? "added" : part.removed ? "removed" : "same";
    for (const text of splitLines(part.value)) {
      lines.push({ op, text });
      if (op === "added") added++;
      if (op === "removed") removed++;
    }
  }
  return { changed: true, added, removed, lines };
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // a trailing newline ends the last line
  return lines;
}

function show(value: unknown): string {
  return typeof value === "string" ? (value === "" ? '""' : value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : value) : String(value);
}

function describeObject(value: unknown): string {
  if (value === null) return "none";
  const text = canonical(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** JSON with sorted keys, so {a,b} and {b,a} compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
