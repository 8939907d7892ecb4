import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TemplateMessage } from "@/lib/release/llm-settings";
import { MAX_RENDERED_CHARS, prepareTemplate, refusalOf, renderPrepared, renderPreparedJson } from "@/lib/release/llm-template";
import golden from "./template-golden.json";

// /api/route serializes `rendered` from parts prepared once per version (renderPreparedJson); the
// SDK renders objects (renderPrepared). Both run the one renderer: these pin that the JSON is
// exactly the objects' JSON, and that both refuse in the same words.

interface Case {
  name: string;
  messages?: TemplateMessage[];
  values?: Record<string, string>;
  defaults?: Record<string, string>;
  problems?: unknown[];
}

const messageCases = (golden.cases as Case[]).filter((c) => c.messages !== undefined && c.problems === undefined);
const declared = (defaults: Record<string, string> = {}) => Object.entries(defaults).map(([name, value]) => ({ name, default: value }));

function sameAsObjects(messages: TemplateMessage[], values: Record<string, string>, defaults?: Record<string, string>): void {
  const prepared = prepareTemplate({ messages, variables: declared(defaults) });
  const objects = renderPrepared(prepared, values);
  const json = renderPreparedJson(prepared, values);
  if (!objects.ok) return void expect(json).toEqual(objects);
  expect(json).toEqual({ ok: true, json: JSON.stringify(objects.messages) });
}

describe("rendered messages as JSON", () => {
  it.each(messageCases.map((c) => [c.name, c] as const))("equal JSON.stringify of the rendered objects: %s", (_name, c) => {
    sameAsObjects(c.messages!, c.values ?? {}, c.defaults);
  });

  it("equal it for any content and values, whatever needs escaping (quotes, backslashes, newlines, `\"content\":`)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", " ", '"', "\\", "\n", "\u2028", "é", "😀", "{{", "}}", '"content":', "{{x}}", "{{#s}}", "{{/s}}") });
    const message = fc.oneof(
      fc.record({ role: fc.constantFrom("system", "user", "assistant", "developer"), content: text }),
      fc.record({ role: fc.constant("placeholder"), name: fc.constantFrom("history", "earlier") }),
    ) as fc.Arbitrary<TemplateMessage>;
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.record({ x: text, s: text }), (messages, values) => {
        sameAsObjects(messages, values);
      }),
    );
  });

  it("come out of a version written before templates (escaped, not parsed) as written", () => {
    const messages: TemplateMessage[] = [{ role: "system", content: "Reply with {{ a brace." }];
    expect(renderPreparedJson(prepareTemplate({ messages, variables: [] }), {})).toEqual({ ok: true, json: JSON.stringify(messages) });
  });
});

describe("refusals", () => {
  it("name each missing variable, the first in the sentence", () => {
    const prepared = prepareTemplate({ messages: [{ role: "user", content: "{{a}} {{b}} {{c}}" }], variables: [] });
    const result = renderPreparedJson(prepared, { b: "x" });
    if (result.ok) throw new Error("rendered without a and c");
    expect(refusalOf(result)).toEqual({
      message: "The `variables.a` field is required: the template uses it outside any section and it has no default (and 1 more problem).",
      details: [
        { path: "variables.a", message: "is required: the template uses it outside any section and it has no default" },
        { path: "variables.c", message: "is required: the template uses it outside any section and it has no default" },
      ],
    });
  });

  it("refuse values that would make the messages too long, before building them", () => {
    const prepared = prepareTemplate({ messages: [{ role: "user", content: "{{a}}{{a}}" }], variables: [] });
    const result = renderPreparedJson(prepared, { a: "x".repeat(MAX_RENDERED_CHARS / 2 + 1) });
    if (result.ok) throw new Error("rendered past the limit");
    expect(refusalOf(result)).toEqual({
      message: `The \`variables\` make the rendered messages longer than ${MAX_RENDERED_CHARS} characters (${MAX_RENDERED_CHARS + 2}).`,
      details: [{ path: "variables", message: `make the rendered messages longer than ${MAX_RENDERED_CHARS} characters` }],
    });
  });
});
