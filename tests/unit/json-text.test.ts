import { describe, expect, it } from "vitest";
import { jsonSchemaProblem, lineColumn, parseJsonObject, parseJsonText } from "@/lib/console/json-text";
import { escapeStop, unescapeStop } from "@/lib/console/stop-text";

describe("JSON typed into the editor", () => {
  it("says what is wrong and where, once, whatever the engine's wording", () => {
    const text = '{\n  "a": 1,\n}';
    const parsed = parseJsonText(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.message).toMatch(/^is not valid JSON: .+ \(line 3, column 1\)$/);
    expect(parsed.problem.message).not.toMatch(/position/);
    expect(parsed.problem.from).toBe(text.indexOf("}"));
    expect(parseJsonText("")).toEqual({ ok: false, problem: { message: "is not valid JSON: it is empty", from: 0 } });
    expect(parseJsonText('{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it("points at the end when the text stops early", () => {
    const parsed = parseJsonText('{"a": ');
    expect(!parsed.ok && parsed.problem.from).toBe(6);
  });

  it("counts lines and columns from 1", () => {
    expect(lineColumn("ab\ncd", 4)).toBe("line 2, column 2");
    expect(lineColumn("ab", 0)).toBe("line 1, column 1");
  });

  it("wants an object where the field is one", () => {
    expect(parseJsonObject("[]", "{}")).toEqual({ ok: false, problem: { message: "must be a JSON object, like {}", from: 0 } });
    expect(parseJsonObject('{"x": 1}', "{}")).toEqual({ ok: true, value: { x: 1 } });
  });

  it("checks a JSON Schema as the server does, naming the path inside it", () => {
    expect(jsonSchemaProblem('{"type": "object", "properties": {"email": {"type": "strng"}}}')?.message).toMatch(/^`properties\.email\.type` /);
    expect(jsonSchemaProblem('{"type": "object", "properties": {}, "required": ["email"]}')?.message).toMatch(/^`required\.0` .*email/);
    expect(jsonSchemaProblem('{"type": "string"}')?.message).toBeTruthy();
    expect(jsonSchemaProblem('{"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}')).toBeNull();
  });
});

describe("stop sequences as escapes", () => {
  it("round-trips every sequence, line breaks and backslashes included", () => {
    for (const s of ["\n\nUser:", "###", "a\\nb", "\\", "tab\there", "\r\n", "\\\\n"]) expect(unescapeStop(escapeStop(s))).toBe(s);
    expect(escapeStop("\n\nUser:")).toBe("\\n\\nUser:");
    expect(unescapeStop("\\x stays")).toBe("\\x stays");
  });
});
