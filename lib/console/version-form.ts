// The version editor's form state, how it starts from an existing version, and the request
// body it becomes. Numbers and JSON are edited as text; text that is not a number is sent as
// is, so the server's message names the field. Pure.

import { numberOrText } from "./number-or-text";

export interface VersionSource {
  label: string;
  model: string;
  systemPrompt: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  retrievalStrategy: { type: string; index?: string; topK?: number; minScore?: number; reranker?: string; params?: Record<string, unknown> } | null;
  params: Record<string, unknown>;
}

export interface VersionForm {
  label: string;
  model: string;
  systemPrompt: string;
  temperature: string;
  topP: string;
  maxTokens: string;
  /** `params` is not edited in the form; it is carried over from the version the form started from. */
  retrieval: { enabled: boolean; type: string; index: string; topK: string; minScore: string; reranker: string; params?: Record<string, unknown> };
  params: string;
  description: string;
}

export const EMPTY_VERSION_FORM: VersionForm = {
  label: "v1",
  model: "",
  systemPrompt: "",
  temperature: "0.7",
  topP: "1",
  maxTokens: "1024",
  retrieval: { enabled: false, type: "vector", index: "", topK: "", minScore: "", reranker: "" },
  params: "{}",
  description: "",
};

export function formFromVersion(v: VersionSource, takenLabels: readonly string[]): VersionForm {
  const r = v.retrievalStrategy;
  return {
    label: nextLabel(v.label, takenLabels),
    model: v.model,
    systemPrompt: v.systemPrompt,
    temperature: String(v.temperature),
    topP: String(v.topP),
    maxTokens: String(v.maxTokens),
    retrieval: {
      enabled: r !== null,
      type: r?.type ?? "vector",
      index: r?.index ?? "",
      topK: r?.topK === undefined ? "" : String(r.topK),
      minScore: r?.minScore === undefined ? "" : String(r.minScore),
      reranker: r?.reranker ?? "",
      ...(r?.params ? { params: r.params } : {}),
    },
    params: JSON.stringify(v.params, null, 2),
    description: "",
  };
}

/** The next free label after `label`: v1.2.0 → v1.2.1, v3 → v4, prompt-a → prompt-a-2. */
export function nextLabel(label: string, taken: readonly string[]): string {
  const match = /^(.*?)(\d+)$/.exec(label);
  const make = (n: number) => (match ? `${match[1]}${n}` : `${label}-${n}`);
  let n = match ? Number(match[2]) + 1 : 2;
  while (taken.includes(make(n))) n++;
  return make(n);
}

export type VersionBody = { ok: true; body: Record<string, unknown> } | { ok: false; field: string; message: string };

export function versionRequestBody(form: VersionForm, parentVersionId: string | null): VersionBody {
  let params: unknown;
  try {
    params = JSON.parse(form.params.trim() === "" ? "{}" : form.params);
  } catch (error) {
    return { ok: false, field: "params", message: `is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return { ok: false, field: "params", message: 'must be a JSON object, like {"presence_penalty": 0.2}' };
  }
  const r = form.retrieval;
  const optional = (text: string) => (text.trim() === "" ? undefined : numberOrText(text));
  const retrievalStrategy = r.enabled
    ? {
        type: r.type,
        ...(r.index.trim() ? { index: r.index.trim() } : {}),
        ...(optional(r.topK) !== undefined ? { topK: optional(r.topK) } : {}),
        ...(optional(r.minScore) !== undefined ? { minScore: optional(r.minScore) } : {}),
        ...(r.reranker.trim() ? { reranker: r.reranker.trim() } : {}),
        ...(r.params ? { params: r.params } : {}),
      }
    : null;
  return {
    ok: true,
    body: {
      label: form.label.trim(),
      model: form.model,
      systemPrompt: form.systemPrompt,
      temperature: numberOrText(form.temperature),
      topP: numberOrText(form.topP),
      maxTokens: numberOrText(form.maxTokens),
      retrievalStrategy,
      params,
      description: form.description,
      ...(parentVersionId ? { parentVersionId } : {}),
    },
  };
}
