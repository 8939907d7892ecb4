import { compileMessages } from "../template/messages";
import { code, quote } from "./diff-words";
import type { LlmSettings } from "./llm-settings";
import type { FieldChange } from "./version-schemas";

// The variables of two versions compared: those the messages use (found by the one template
// parser, lib/template) together with the declared ones (defaults, descriptions). A variable that
// becomes required without a default is called out: requests that send variables without it will
// be refused. Pure.

type Settings = Pick<LlmSettings, "messages" | "variables">;
interface Variable {
  used: boolean;
  required: boolean;
  default: string | undefined;
  description: string | undefined;
}

const REFUSED = "requests that send variables without it get a 400";

export function diffVariables(before: Settings, after: Settings): FieldChange[] {
  const [old, now] = [variablesOf(before), variablesOf(after)];
  const changes: FieldChange[] = [];
  const change = (kind: FieldChange["kind"], name: string, summary: string): FieldChange => ({
    part: "variables",
    kind,
    field: `variables.${name}`,
    from: old.get(name) ?? null,
    to: now.get(name) ?? null,
    summary: `variable ${code(name)} ${summary}`,
  });
  for (const [name, v] of now) {
    const was = old.get(name);
    if (!was) {
      changes.push(change("added", name, `added (${describe(v)})`));
      continue;
    }
    const edits: string[] = [];
    if (v.used !== was.used) edits.push(v.used ? "is now used by the messages" : "is no longer used by the messages");
    else if (v.used && v.required !== was.required) edits.push(v.required ? "is now required" : "is now optional");
    if (v.default !== was.default) {
      if (v.default === undefined) edits.push(`default ${quote(was.default!)} removed`);
      else if (was.default === undefined) edits.push(`default ${quote(v.default)} added`);
      else edits.push(`default ${quote(was.default)} → ${quote(v.default)}`);
    }
    if ((v.description ?? "") !== (was.description ?? "")) edits.push("description changed");
    if (edits.length === 0) continue;
    const refused = mustBeSent(v) && !mustBeSent(was) ? ` (${REFUSED})` : "";
    changes.push(change("changed", name, `${edits.join("; ")}${refused}`));
  }
  for (const name of old.keys()) if (!now.has(name)) changes.push(change("removed", name, "removed"));
  return changes;
}

function describe(v: Variable): string {
  if (!v.used) return "declared, not used by the messages";
  if (!v.required) return "optional";
  return v.default === undefined ? `required, no default: ${REFUSED}` : `required, default ${quote(v.default)}`;
}

const mustBeSent = (v: Variable) => v.used && v.required && v.default === undefined;

/** By name, in order: the variables the messages use, then declared ones they do not. */
function variablesOf(settings: Settings): Map<string, Variable> {
  const declared = new Map(settings.variables.map((v) => [v.name, v]));
  const found = new Map<string, Variable>();
  // Messages that do not parse as a template (text stored before templates) show the declared variables only.
  const compiled = compileMessages(settings.messages);
  for (const { name, required } of compiled.ok ? compiled.compiled.variables : []) {
    const d = declared.get(name);
    found.set(name, { used: true, required, default: d?.default, description: d?.description });
  }
  for (const [name, d] of declared) {
    if (!found.has(name)) found.set(name, { used: false, required: false, default: d.default, description: d.description });
  }
  return found;
}
