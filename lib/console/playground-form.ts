import { HISTORY_ROLE, LLM_FIELDS, type LlmSettings, type TemplateMessage } from "../release/llm-settings";
import { compileMessages } from "../template/messages";
import { numberOrText } from "./number-or-text";

// The playground page's form: its columns (a saved version, or unsaved edits of one, and the
// connection to call), the variables they need, and the request bodies built from them — the run
// and "save as new version". Numbers are edited as text and sent as typed when they are not
// numbers, so the server's 400 names the field. Pure.

/** A version as the admin API answers it (dates as text); only its settings and names are read here. */
export type PlaygroundVersion = LlmSettings & { id: string; label: string };

export interface EditDraft {
  model: string;
  temperature: string;
  maxTokens: string;
  /** The messages as the version has them, each chat message's content editable. */
  messages: TemplateMessage[];
}

export interface ColumnDraft {
  /** Stable across adds and removals, for React and for labels. */
  key: string;
  versionId: string;
  /** "": the version's own connection. */
  providerId: string;
  edits: EditDraft | null;
}

export const MAX_PLAYGROUND_COLUMNS = 4;

/** Two columns to start with: stable and the newest other version (or the two newest). */
export function initialColumns(versions: readonly PlaygroundVersion[], stableId: string | null): ColumnDraft[] {
  const stable = versions.find((v) => v.id === stableId) ?? versions[0];
  if (!stable) return [];
  const other = versions.find((v) => v.id !== stable.id);
  return [stable, ...(other ? [other] : [])].map((v, i) => ({ key: `c${i + 1}`, versionId: v.id, providerId: "", edits: null }));
}

export function editsOf(version: PlaygroundVersion): EditDraft {
  return { model: version.model, temperature: String(version.temperature), maxTokens: String(version.maxTokens), messages: version.messages.map((m) => ({ ...m })) };
}

/** The settings a column calls: the version's, with the edits over them. Numbers that are not numbers stay text, for the server to name. */
export function settingsOf(version: PlaygroundVersion, edits: EditDraft | null): Record<string, unknown> {
  const settings: Record<string, unknown> = Object.fromEntries(LLM_FIELDS.map((field) => [field, version[field]]));
  if (!edits) return settings;
  const used = new Set(variablesOfMessages(edits.messages).map((v) => v.name));
  return {
    ...settings,
    model: edits.model,
    temperature: numberOrText(edits.temperature),
    maxTokens: numberOrText(edits.maxTokens),
    messages: edits.messages,
    // The server refuses a declared variable no message uses any more.
    variables: version.variables.filter((v) => used.has(v.name)),
  };
}

function variablesOfMessages(messages: readonly TemplateMessage[]): { name: string; required: boolean }[] {
  const compiled = compileMessages(messages);
  return compiled.ok ? [...compiled.compiled.variables] : [];
}

export interface VariableInput {
  name: string;
  /** Needed by some column that gives it no default. */
  required: boolean;
  /** The first column's default for it, if any. */
  default: string | null;
}

/** The variables the columns use, in order of first use, each once. */
export function variableInputs(columns: readonly ColumnDraft[], versions: readonly PlaygroundVersion[]): VariableInput[] {
  const byName = new Map<string, VariableInput>();
  for (const column of columns) {
    const version = versions.find((v) => v.id === column.versionId);
    if (!version) continue;
    const defaults = new Map(version.variables.map((v) => [v.name, v.default ?? null]));
    for (const { name, required } of variablesOfMessages(column.edits?.messages ?? version.messages)) {
      const fallback = defaults.get(name) ?? null;
      const known = byName.get(name);
      const needed = required && fallback === null;
      byName.set(name, known ? { ...known, required: known.required || needed, default: known.default ?? fallback } : { name, required: needed, default: fallback });
    }
  }
  return [...byName.values()];
}

/** The run request: empty variable fields are left out, so the versions' defaults apply. */
export function runBody(columns: readonly ColumnDraft[], versions: readonly PlaygroundVersion[], values: Readonly<Record<string, string>>, userMessage: string): Record<string, unknown> {
  const names = new Set(variableInputs(columns, versions).map((v) => v.name));
  return {
    columns: columns.map((column) => {
      const connection = column.providerId ? { providerId: column.providerId } : {};
      const version = versions.find((v) => v.id === column.versionId);
      if (!column.edits || !version) return { versionId: column.versionId, ...connection };
      return { settings: settingsOf(version, column.edits), basedOnVersionId: version.id, ...connection };
    }),
    variables: Object.fromEntries(Object.entries(values).filter(([name, value]) => names.has(name) && value !== "")),
    userMessage,
  };
}

/** "Save as new version": the column's settings (and the connection picked for it) as a new version of its own. */
export function newVersionBody(column: ColumnDraft, version: PlaygroundVersion, label: string, description: string): Record<string, unknown> {
  return {
    ...settingsOf(version, column.edits),
    ...(column.providerId && { providerId: column.providerId }),
    label: label.trim(),
    description,
    parentVersionId: version.id,
  };
}

/** What a message card is called: "Message 2 (user)", or the history placeholder's name. */
export function messageName(message: TemplateMessage, index: number): string {
  return message.role === HISTORY_ROLE ? `Message ${index + 1} (conversation history: ${message.name})` : `Message ${index + 1} (${message.role})`;
}
