import { describe, expect, it } from "vitest";
import { analyzeMessages, previewMessages, templateSegments, variableRows } from "@/lib/console/template-preview";
import { EMPTY_VERSION_FORM, type MessageDraft, type VersionForm } from "@/lib/console/version-form";
import { compileMessages } from "@/lib/template/messages";

const message = (key: string, role: MessageDraft["role"], content: string, name = ""): MessageDraft => ({ key, role, content, name });

const form: VersionForm = {
  ...EMPTY_VERSION_FORM,
  messages: [
    message("m1", "system", "You help {{company}} customers.{{#tier}} They are on {{tier}}.{{/tier}}"),
    message("m2", "assistant", "Hello! How can I help?"),
    message("m3", "placeholder", "", "history"),
    message("m4", "user", "{{question}}"),
  ],
  variables: [
    { name: "company", default: "Acme", description: "", sample: "" },
    { name: "question", default: null, description: "What the user asked", sample: "Where is my order?" },
  ],
};

describe("the editor's variables", () => {
  it("are detected as the server detects them: order of first use, required outside sections", () => {
    const analysis = analyzeMessages(form.messages);
    expect(analysis.variables).toEqual([
      { name: "company", required: true },
      { name: "tier", required: false },
      { name: "question", required: true },
    ]);
    // The server detects with compileMessages (lib/release/llm-template.ts): the same answer.
    const server = compileMessages(form.messages.map((m) => (m.role === "placeholder" ? { role: m.role, name: m.name } : { role: m.role, content: m.content })));
    expect(server.ok && server.compiled.variables).toEqual(analysis.variables);
    expect(variableRows(form, analysis).map((r) => [r.name, r.required, r.default, r.sample])).toEqual([
      ["company", true, "Acme", ""],
      ["tier", false, null, ""],
      ["question", true, null, "Where is my order?"],
    ]);
  });

  it("still come from the messages that parse while another has a syntax problem", () => {
    const analysis = analyzeMessages([message("m1", "user", "{{name}}"), message("m2", "user", "Hi {{oops")]);
    expect(analysis.variables).toEqual([{ name: "name", required: true }]);
    expect(analysis.problems.get("m2")?.[0]).toMatchObject({ code: "unclosed_tag", line: 1, column: 4 });
  });
});

describe("the preview", () => {
  it("renders each message with the samples, defaults where a sample is empty, and names what is missing", () => {
    const analysis = analyzeMessages(form.messages);
    expect(previewMessages(form, analysis)).toEqual([
      { key: "m1", kind: "text", role: "system", text: "You help Acme customers." },
      { key: "m2", kind: "text", role: "assistant", text: "Hello! How can I help?" },
      { key: "m3", kind: "history", name: "history" },
      { key: "m4", kind: "text", role: "user", text: "Where is my order?" },
    ]);
    const empty = { ...form, variables: form.variables.map((v) => ({ ...v, sample: "" })) };
    expect(previewMessages(empty, analysis)[3]).toEqual({ key: "m4", kind: "missing", role: "user", missing: ["question"] });
    const tiered = { ...form, variables: [...form.variables, { name: "tier", default: null, description: "", sample: "Pro" }] };
    expect(previewMessages(tiered, analysis)[0]).toMatchObject({ text: "You help Acme customers. They are on Pro." });
  });

  it("says why a message with a syntax problem cannot be shown", () => {
    const broken = { ...form, messages: [message("m1", "user", "{{#a}}x")] };
    expect(previewMessages(broken, analyzeMessages(broken.messages))[0]).toMatchObject({ kind: "problem", problem: expect.stringContaining("never closed") });
  });
});

describe("highlighting", () => {
  it("cuts text into plain runs and tags, as the parser reads them", () => {
    expect(templateSegments("Hi {{ name }}!{{#vip}} VIP{{/vip}}")).toEqual([
      { text: "Hi ", tag: null },
      { text: "{{ name }}", tag: "variable", name: "name" },
      { text: "!", tag: null },
      { text: "{{#vip}}", tag: "section", name: "vip" },
      { text: " VIP", tag: null },
      { text: "{{/vip}}", tag: "close", name: "vip" },
    ]);
  });

  it("leaves escaped and unclosed braces as text, and an escaped backslash before a tag does not escape it", () => {
    expect(templateSegments("\\{{literal}} and {{x")).toEqual([{ text: "\\{{literal}} and {{x", tag: null }]);
    expect(templateSegments("\\\\{{x}}")).toEqual([{ text: "\\\\", tag: null }, { text: "{{x}}", tag: "variable", name: "x" }]);
    expect(templateSegments("")).toEqual([]);
  });
});
