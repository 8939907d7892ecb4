import { code, quote, same, show } from "./diff-words";
import { LLM_FIELDS, type LlmSettings } from "./llm-settings";
import { diffMessages, diffText } from "./message-diff";
import { diffResponseFormat, diffTools } from "./tool-diff";
import { diffVariables } from "./variable-diff";
import type { FieldChange, MessageDiff, VersionDiffDto, VersionDto } from "./version-schemas";

// Semantic diff of two versions, part by part, in words a reviewer reads at a glance
// ("temperature 0.7 → 0.5", "message 2 (user) changed: 3 lines added, 1 removed", "tool
// `lookup_order` gained required parameter `email`"), plus each message's line diff. Pure.

/** A version as its answer has it; `systemPrompt` (the first system message) gives the first API's prompt diff. */
export type Compared = Pick<VersionDto, "id" | "label" | "description" | "systemPrompt"> & LlmSettings;
type Field = keyof LlmSettings;
interface Collected {
  changes: FieldChange[];
  messages: MessageDiff[];
}
type FieldDiff = (from: Compared, to: Compared, out: Collected) => void;

/** How each LLM setting is compared: one entry per field, so a new field cannot be left out (the type says so). */
const FIELD_DIFFS: { [F in Field]: FieldDiff } = {
  model: scalar("model"),
  provider: scalar("provider"),
  providerId: scalar("providerId"),
  messages: (from, to, out) => {
    const diff = diffMessages(from.messages, to.messages);
    out.messages = diff.messages;
    out.changes.push(...diff.changes);
  },
  temperature: scalar("temperature"),
  topP: scalar("topP"),
  maxTokens: scalar("maxTokens"),
  stop: (from, to, out) => {
    const added = to.stop.filter((s) => !from.stop.includes(s)).map((s) => quote(s));
    const removed = from.stop.filter((s) => !to.stop.includes(s)).map((s) => quote(s));
    if (added.length === 0 && removed.length === 0) return;
    const words = [added.length ? `added ${added.join(", ")}` : "", removed.length ? `removed ${removed.join(", ")}` : ""];
    out.changes.push(setting("stop", from.stop, to.stop, `stop sequences ${words.filter(Boolean).join("; ")}`));
  },
  seed: scalar("seed"),
  tools: (from, to, out) => out.changes.push(...diffTools(from.tools, to.tools)),
  toolChoice: (from, to, out) => {
    if (same(from.toolChoice, to.toolChoice)) return;
    const words = (choice: LlmSettings["toolChoice"]) =>
      choice === null ? "provider default" : typeof choice === "string" ? choice : `tool ${code(choice.name)}`;
    const summary = `tool choice ${words(from.toolChoice)} → ${words(to.toolChoice)}`;
    out.changes.push(setting("toolChoice", from.toolChoice, to.toolChoice, summary));
  },
  responseFormat: (from, to, out) => out.changes.push(...diffResponseFormat(from.responseFormat, to.responseFormat)),
  retrievalStrategy: (from, to, out) => {
    if (same(from.retrievalStrategy, to.retrievalStrategy)) return;
    const [a, b] = [from.retrievalStrategy, to.retrievalStrategy];
    out.changes.push(setting("retrievalStrategy", a, b, `retrievalStrategy ${show(a)} → ${show(b)}`));
  },
  params: (from, to, out) => {
    for (const key of new Set([...Object.keys(to.params), ...Object.keys(from.params)])) {
      const [a, b] = [from.params[key], to.params[key]];
      if (same(a, b)) continue;
      const kind = a === undefined ? "added" : b === undefined ? "removed" : "changed";
      const words = { added: `added: ${show(b)}`, removed: "removed", changed: `${show(a)} → ${show(b)}` }[kind];
      out.changes.push({ ...setting(`params.${key}`, a ?? null, b ?? null, `param ${code(key)} ${words}`), kind });
    }
  },
  variables: (from, to, out) => out.changes.push(...diffVariables(from, to)),
};

export function diffVersions(from: Compared, to: Compared): VersionDiffDto {
  const out: Collected = { changes: [], messages: [] };
  for (const field of LLM_FIELDS) FIELD_DIFFS[field](from, to, out);
  if (from.description !== to.description) {
    const summary = `description ${show(from.description)} → ${show(to.description)}`;
    const { description: before } = from;
    const { description: after } = to;
    out.changes.push({ part: "description", kind: "changed", field: "description", from: before, to: after, summary });
  }
  return {
    from: { id: from.id, label: from.label },
    to: { id: to.id, label: to.label },
    changes: out.changes,
    messages: out.messages,
    prompt: diffText(from.systemPrompt, to.systemPrompt),
  };
}

function scalar(field: "model" | "provider" | "providerId" | "temperature" | "topP" | "maxTokens" | "seed"): FieldDiff {
  return (from, to, out) => {
    if (from[field] === to[field]) return;
    out.changes.push(setting(field, from[field], to[field], `${field} ${show(from[field])} → ${show(to[field])}`));
  };
}

function setting(field: string, from: unknown, to: unknown, summary: string): FieldChange {
  return { part: "settings", kind: "changed", field, from, to, summary };
}

