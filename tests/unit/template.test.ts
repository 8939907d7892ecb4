import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMessages, missingVariableProblems, renderMessages } from "@/lib/template/messages";
import { escapeText, parseTemplate } from "@/lib/template/parse";
import { defaultsOf, renderTemplate, renderText } from "@/lib/template/render";
import { PROBLEM_CODES } from "@/lib/template/syntax";
import golden from "./template-golden.json";

// The template language is pinned by tests/unit/template-golden.json: every case is parsed,
// detected and rendered here, through the one renderer the server and the SDK both import.

type Values = Record<string, string>;
interface Case {
  name: string;
  template?: string;
  messages?: Record<string, unknown>[];
  values?: Values;
  defaults?: Values;
  output?: string;
  rendered?: Record<string, unknown>[];
  missing?: string[];
  variables?: { name: string; required: boolean }[];
  problems?: { code: string; line: number; column: number; path?: string }[];
}

const cases = golden.cases as Case[];
const textCases = cases.filter((c) => c.template !== undefined);
const messageCases = cases.filter((c) => c.messages !== undefined);

describe("template golden cases: one text", () => {
  it.each(textCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const parsed = parseTemplate(c.template!);
    if (c.problems) {
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.problems.map(({ code, line, column }) => ({ code, line, column }))).toEqual(c.problems);
      return;
    }
    if (!parsed.ok) throw new Error(`unexpected problems: ${JSON.stringify(parsed.problems)}`);
    expect(parsed.template.variables).toEqual(c.variables);
    const result = renderTemplate(parsed.template, c.values ?? {}, c.defaults);
    expect(result).toEqual(c.missing ? { ok: false, missing: c.missing } : { ok: true, text: c.output });
  });
});

describe("template golden cases: messages", () => {
  it.each(messageCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const compiled = compileMessages(c.messages!);
    if (c.problems) {
      expect(compiled.ok).toBe(false);
      if (compiled.ok) return;
      expect(compiled.problems.map(({ path, code, line, column }) => ({ path, code, line, column }))).toEqual(c.problems);
      return;
    }
    if (!compiled.ok) throw new Error(`unexpected problems: ${JSON.stringify(compiled.problems)}`);
    expect(compiled.compiled.variables).toEqual(c.variables);
    const result = renderMessages(compiled.compiled, c.values ?? {}, c.defaults);
    expect(result).toEqual(c.missing ? { ok: false, missing: c.missing } : { ok: true, messages: c.rendered });
  });
});

describe("the golden file", () => {
  it("covers every problem code and every kind of tag", () => {
    const codes = new Set(cases.flatMap((c) => c.problems?.map((p) => p.code) ?? []));
    expect([...codes].sort()).toEqual([...PROBLEM_CODES].sort());
    const outputs = textCases.filter((c) => c.output !== undefined).map((c) => c.template!);
    for (const tag of ["{{#", "{{^", "{{/", "\\{{", "\\\\{{"]) expect(outputs.some((t) => t.includes(tag))).toBe(true);
  });
});

describe("template problems", () => {
  it("say where and what, ready to follow a field's name", () => {
    const parsed = parseTemplate("Hi\n  {{#context}}\n{{user.name}} {{{x}}}");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.message)).toEqual([
      "has `{{#context}}` at line 2, column 3 that is never closed; close it with `{{/context}}`",
      expect.stringMatching(/^has `\{\{user\.name\}\}` at line 3, column 1, which is not a tag: a name is letters, digits/),
      "has `{{{` at line 3, column 15: triple braces are not needed (nothing is HTML-escaped), write `{{x}}`",
    ]);
    expect(parsed.problems[0]).toMatchObject({ code: "unclosed_section", offset: 5, line: 2, column: 3 });
  });

  it("stop at ten per text and per message list", () => {
    const text = "{{.}}".repeat(30);
    const parsed = parseTemplate(text);
    expect(parsed.ok || parsed.problems.length).toBe(10);
    const compiled = compileMessages([{ content: text }, { content: text }]);
    expect(compiled.ok || compiled.problems.length).toBe(10);
  });

  it("name the list a caller gives", () => {
    const compiled = compileMessages([{ content: "ok" }, { content: "{{/x}}" }], "llm.messages");
    expect(compiled.ok || compiled.problems.map((p) => p.path)).toEqual(["llm.messages.1.content"]);
  });
});

describe("rendering", () => {
  it("renders one parsed template many times with different values", () => {
    const parsed = parseTemplate("{{#vip}}Dear {{/vip}}{{name}}");
    if (!parsed.ok) throw new Error("parse failed");
    expect(renderTemplate(parsed.template, { name: "Ada", vip: "y" })).toEqual({ ok: true, text: "Dear Ada" });
    expect(renderTemplate(parsed.template, { name: "Bob" })).toEqual({ ok: true, text: "Bob" });
    expect(renderTemplate(parsed.template, {})).toEqual({ ok: false, missing: ["name"] });
  });

  it("counts a value that is not a string as not sent", () => {
    const values = { n: 7 } as unknown as Record<string, string>;
    expect(renderText("{{n}}", values)).toEqual({ ok: false, missing: ["n"] });
    expect(renderText("{{n}}", values, { n: "d" })).toEqual({ ok: true, text: "d" });
  });

  it("takes defaults from declared variables, including odd names", () => {
    const defaults = defaultsOf([{ name: "tone", default: "warm" }, { name: "__proto__", default: "p" }, { name: "none" }]);
    expect(renderText("{{tone}} {{__proto__}}", {}, defaults)).toEqual({ ok: true, text: "warm p" });
    expect(renderText("{{none}}", {}, defaults)).toEqual({ ok: false, missing: ["none"] });
  });

  it("reports a parse problem from renderText instead of rendering", () => {
    expect(renderText("{{#a}}", {})).toMatchObject({ ok: false, problems: [{ code: "unclosed_section" }] });
  });

  it("returns messages without tags as the same objects", () => {
    const fixed = { role: "system", content: "Be brief." };
    const escaped = { role: "system", content: "Write \\{{x}}." };
    const compiled = compileMessages([fixed, escaped, { role: "user", content: "{{q}}" }]);
    if (!compiled.ok) throw new Error("compile failed");
    const result = renderMessages(compiled.compiled, { q: "hi" });
    if (!result.ok) throw new Error("render failed");
    expect(result.messages[0]).toBe(fixed);
    expect(result.messages[1]).toEqual({ role: "system", content: "Write {{x}}." });
    expect(result.messages[2]).toEqual({ role: "user", content: "hi" });
  });

  it("words missing variables as request problems", () => {
    expect(missingVariableProblems(["customer"])).toEqual([
      { path: "variables.customer", message: "is required: the template uses it outside any section and it has no default" },
    ]);
  });
});

describe("escapeText", () => {
  it("makes any text a template that renders as that text, with no variables", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("{", "}", "\\", "#", "/", "^", "a", " ", "\n") }), (text) => {
        const parsed = parseTemplate(escapeText(text));
        if (!parsed.ok) return false;
        return parsed.template.variables.length === 0 && renderTemplate(parsed.template, {}).ok &&
          (renderTemplate(parsed.template, {}) as { text: string }).text === text;
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves text without {{ unchanged", () => {
    expect(escapeText("a \\ b } {x}")).toBe("a \\ b } {x}");
    expect(escapeText("{{x}} \\{{y}}")).toBe("\\{{x}} \\\\\\{{y}}");
  });
});
