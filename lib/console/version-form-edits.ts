import { EMPTY_PARAMETERS, TOOL_CHOICE_PREFIX, type MessageDraft, type MessageRole, type ToolDraft, type VariableDraft, type VersionForm } from "./version-form";

// The version editor's edits, one pure function each: (form, …) → new form. The components only
// call these, so what "move message 3 up" does is tested here, not clicked through.

/** The role a new message gets: the turn after the last chat message (user → assistant → user). */
export function nextRole(messages: readonly MessageDraft[]): MessageRole {
  const last = messages.findLast((m) => m.role !== "placeholder");
  return last?.role === "user" ? "assistant" : "user";
}

export function addMessage(form: VersionForm, role: MessageRole = nextRole(form.messages)): VersionForm {
  const name = role === "placeholder" ? freeName("history", form.messages.filter((m) => m.role === "placeholder").map((m) => m.name)) : "";
  return { ...form, messages: [...form.messages, { key: `m${form.nextKey}`, role, content: "", name }], nextKey: form.nextKey + 1 };
}

export function updateMessage(form: VersionForm, key: string, patch: Partial<Omit<MessageDraft, "key">>): VersionForm {
  return {
    ...form,
    messages: form.messages.map((m) => {
      if (m.key !== key) return m;
      const next = { ...m, ...patch };
      // A placeholder needs a name; give it the first free one when a message becomes one.
      if (next.role === "placeholder" && next.name === "") {
        next.name = freeName("history", form.messages.filter((o) => o.role === "placeholder" && o.key !== key).map((o) => o.name));
      }
      return next;
    }),
  };
}

export function removeMessage(form: VersionForm, key: string): VersionForm {
  return { ...form, messages: form.messages.filter((m) => m.key !== key) };
}

/** Moves a message one place up (-1) or down (+1); at either end nothing moves. */
export function moveMessage(form: VersionForm, key: string, by: -1 | 1): VersionForm {
  return { ...form, messages: move(form.messages, key, by) };
}

export function addTool(form: VersionForm): VersionForm {
  const name = freeName("tool", form.tools.map((t) => t.name), "_");
  return { ...form, tools: [...form.tools, { key: `t${form.nextKey}`, name, description: "", parameters: EMPTY_PARAMETERS }], nextKey: form.nextKey + 1 };
}

/** Renaming a tool the tool choice names renames it there too. */
export function updateTool(form: VersionForm, key: string, patch: Partial<Omit<ToolDraft, "key">>): VersionForm {
  const before = form.tools.find((t) => t.key === key);
  const renamed = before && patch.name !== undefined && form.toolChoice === `${TOOL_CHOICE_PREFIX}${before.name}`;
  return {
    ...form,
    tools: form.tools.map((t) => (t.key === key ? { ...t, ...patch } : t)),
    ...(renamed ? { toolChoice: `${TOOL_CHOICE_PREFIX}${patch.name}` } : {}),
  };
}

/** Removing the tool the tool choice names sets the choice back to the provider's default. */
export function removeTool(form: VersionForm, key: string): VersionForm {
  const removed = form.tools.find((t) => t.key === key);
  const chosen = removed && form.toolChoice === `${TOOL_CHOICE_PREFIX}${removed.name}`;
  return { ...form, tools: form.tools.filter((t) => t.key !== key), ...(chosen ? { toolChoice: "" } : {}) };
}

export function moveTool(form: VersionForm, key: string, by: -1 | 1): VersionForm {
  return { ...form, tools: move(form.tools, key, by) };
}

/** Sets what the form knows of a variable, adding it on first mention. */
export function updateVariable(form: VersionForm, name: string, patch: Partial<Omit<VariableDraft, "name">>): VersionForm {
  const known = form.variables.some((v) => v.name === name);
  const variables = known
    ? form.variables.map((v) => (v.name === name ? { ...v, ...patch } : v))
    : [...form.variables, { name, default: null, description: "", sample: "", ...patch }];
  return { ...form, variables };
}

export function setStop(form: VersionForm, index: number, text: string): VersionForm {
  return { ...form, stop: form.stop.map((s, i) => (i === index ? text : s)) };
}

export function addStop(form: VersionForm): VersionForm {
  return { ...form, stop: [...form.stop, ""] };
}

export function removeStop(form: VersionForm, index: number): VersionForm {
  return { ...form, stop: form.stop.filter((_s, i) => i !== index) };
}

function move<T extends { key: string }>(list: readonly T[], key: string, by: -1 | 1): T[] {
  const from = list.findIndex((item) => item.key === key);
  const to = from + by;
  if (from === -1 || to < 0 || to >= list.length) return [...list];
  const next = [...list];
  [next[from], next[to]] = [next[to], next[from]];
  return next;
}

/** `base`, else `base_2`, `base_3`…: the first name not taken. */
function freeName(base: string, taken: readonly string[], separator = "_"): string {
  if (!taken.includes(base)) return base;
  let n = 2;
  while (taken.includes(`${base}${separator}${n}`)) n++;
  return `${base}${separator}${n}`;
}
