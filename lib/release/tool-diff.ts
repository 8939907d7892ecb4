import { code, same, show } from "./diff-words";
import type { LlmSettings, ToolDefinition } from "./llm-settings";
import type { FieldChange } from "./version-schemas";

// Tools and the response format, compared by meaning: tools by name, their parameters (and the
// response schema's properties) one by one with their required-ness, in sentences such as "tool
// `lookup_order` gained required parameter `email`". Top-level properties are compared one by
// one; a change deeper inside one is reported as that property changing. Pure.

type ResponseFormat = LlmSettings["responseFormat"];
type JsonSchema = Record<string, unknown>;

export function diffTools(before: readonly ToolDefinition[], after: readonly ToolDefinition[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const old = new Map(before.map((tool) => [tool.name, tool]));
  const names = new Set(after.map((tool) => tool.name));
  for (const tool of after) {
    const subject = `tool ${code(tool.name)}`;
    const field = `tools.${tool.name}`;
    const was = old.get(tool.name);
    if (!was) {
      const parameters = Object.keys(propertiesOf(tool.parameters));
      const required = requiredOf(tool.parameters);
      const list = parameters.map((p) => `${code(p)}${required.has(p) ? " (required)" : ""}`).join(", ");
      changes.push(toolChange("added", field, null, tool, `${subject} added${list ? ` with parameters ${list}` : ""}`));
      continue;
    }
    if (was.description !== tool.description) {
      const summary = `${subject} description changed`;
      changes.push(toolChange("changed", `${field}.description`, was.description, tool.description, summary));
    }
    for (const c of schemaChanges(subject, "parameter", was.parameters, tool.parameters, `${field}.parameters`)) {
      changes.push({ part: "tools", ...c });
    }
  }
  for (const tool of before) {
    if (names.has(tool.name)) continue;
    changes.push(toolChange("removed", `tools.${tool.name}`, tool, null, `tool ${code(tool.name)} removed`));
  }
  return changes;
}

export function diffResponseFormat(before: ResponseFormat, after: ResponseFormat): FieldChange[] {
  if (same(before, after)) return [];
  const change = (kind: FieldChange["kind"], field: string, from: unknown, to: unknown, summary: string): FieldChange => ({
    part: "responseFormat",
    kind,
    field,
    from,
    to,
    summary,
  });
  if (before?.type !== "json_schema" || after?.type !== "json_schema" || before.name !== after.name) {
    const kind = before === null ? "added" : after === null ? "removed" : "changed";
    const summary = `response format ${describeFormat(before)} → ${describeFormat(after)}`;
    return [change(kind, "responseFormat", before, after, summary)];
  }
  const changes: FieldChange[] = [];
  const subject = `response schema ${code(after.name)}`;
  if ((before.description ?? "") !== (after.description ?? "")) {
    const summary = `${subject} description changed`;
    changes.push(change("changed", "responseFormat.description", before.description, after.description, summary));
  }
  if ((before.strict ?? null) !== (after.strict ?? null)) {
    const summary = `${subject} strict ${show(before.strict)} → ${show(after.strict)}`;
    changes.push(change("changed", "responseFormat.strict", before.strict, after.strict, summary));
  }
  for (const c of schemaChanges(subject, "property", before.schema, after.schema, "responseFormat.schema")) {
    changes.push({ part: "responseFormat", ...c });
  }
  return changes;
}

function describeFormat(format: ResponseFormat): string {
  if (format === null) return "provider default";
  return format.type === "json_schema" ? `json_schema ${code(format.name)}` : format.type;
}

function toolChange(kind: FieldChange["kind"], field: string, from: unknown, to: unknown, summary: string): FieldChange {
  return { part: "tools", kind, field, from, to, summary };
}

/**
 * An object schema's changes: properties gained or lost, each property's schema and required-ness,
 * and the schema's other keywords (additionalProperties…).
 */
function schemaChanges(
  subject: string,
  noun: string,
  before: JsonSchema,
  after: JsonSchema,
  field: string,
): Omit<FieldChange, "part">[] {
  const changes: Omit<FieldChange, "part">[] = [];
  const [oldProps, newProps] = [propertiesOf(before), propertiesOf(after)];
  const [oldRequired, newRequired] = [requiredOf(before), requiredOf(after)];
  for (const [name, schema] of Object.entries(newProps)) {
    const path = `${field}.${name}`;
    if (!(name in oldProps)) {
      const kind = newRequired.has(name) ? "required" : "optional";
      const summary = `${subject} gained ${kind} ${noun} ${code(name)}`;
      changes.push({ kind: "added", field: path, from: null, to: schema, summary });
      continue;
    }
    const edits = keywordChanges(oldProps[name], schema);
    const nowRequired = newRequired.has(name);
    if (nowRequired !== oldRequired.has(name)) edits.push(nowRequired ? "now required" : "now optional");
    if (edits.length === 0) continue;
    const summary =
      edits.length === 1 && edits[0].startsWith("now ")
        ? `${subject} ${noun} ${code(name)} is ${edits[0]}`
        : `${subject} ${noun} ${code(name)} changed: ${edits.join("; ")}`;
    changes.push({ kind: "changed", field: path, from: oldProps[name], to: schema, summary });
  }
  for (const [name, schema] of Object.entries(oldProps)) {
    if (name in newProps) continue;
    const kind = oldRequired.has(name) ? "required " : "";
    const summary = `${subject} lost ${kind}${noun} ${code(name)}`;
    changes.push({ kind: "removed", field: `${field}.${name}`, from: schema, to: null, summary });
  }
  const rest = (schema: JsonSchema) =>
    Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "properties" && key !== "required"));
  const others = keywordChanges(rest(before), rest(after));
  if (others.length > 0) {
    const summary = `${subject} schema changed: ${others.join("; ")}`;
    changes.push({ kind: "changed", field, from: before, to: after, summary });
  }
  return changes;
}

/** "type string → integer", "description changed", "enum added", one per keyword that differs. */
function keywordChanges(before: unknown, after: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return same(before, after) ? [] : [`${show(before)} → ${show(after)}`];
  const edits: string[] = [];
  for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const [a, b] = [before[key], after[key]];
    if (same(a, b)) continue;
    // Short values are shown; descriptions and nested schemas are only named.
    const shown = (v: unknown) => key !== "description" && isScalar(v);
    if (a === undefined) edits.push(shown(b) ? `${key} ${show(b)} added` : `${key} added`);
    else if (b === undefined) edits.push(`${key} removed`);
    else if (shown(a) && shown(b)) edits.push(`${key} ${show(a)} → ${show(b)}`);
    else edits.push(`${key} changed`);
  }
  return edits;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

function propertiesOf(schema: JsonSchema): Record<string, unknown> {
  return isObject(schema.properties) ? schema.properties : {};
}

function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
}
