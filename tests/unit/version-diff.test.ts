import { describe, expect, it } from "vitest";
import { LLM_FIELDS, LlmSettings } from "@/lib/release/llm-settings";
import { diffVersions, type Compared } from "@/lib/release/version-diff";
import { VersionDiffDto } from "@/lib/release/version-schemas";

// The version diff, part by part: each kind of change and the sentence a reviewer reads.

type Message = LlmSettings["messages"][number];
type Input = Partial<Omit<LlmSettings, "messages">> & { messages?: unknown[]; id?: string; label?: string; description?: string };

const SYSTEM = "You are a support agent for Acme.\nBe brief.\nCite sources.\n";
const lookupOrder = {
  name: "lookup_order",
  description: "Find an order",
  parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
};

/** A version through the real settings schema (defaults filled in), as the API answers it. */
function version(input: Input = {}): Compared {
  const { id = "ver_a", label = "v1", description = "", ...settings } = input;
  const llm = LlmSettings.parse({
    model: "gpt-4o",
    temperature: 0.7,
    maxTokens: 1024,
    messages: [
      { role: "system", content: SYSTEM },
      { role: "placeholder", name: "history" },
      { role: "user", content: "{{question}}" },
    ],
    ...settings,
  });
  const system = llm.messages.find((m) => m.role === "system");
  return { id, label, description, ...llm, systemPrompt: system && "content" in system ? system.content : "" };
}

const base = version();
const withMessages = (...messages: unknown[]) => version({ id: "ver_b", label: "v2", messages });
const [system, history, user] = base.messages as [Message, Message, Message];
const summaries = (from: Compared, to: Compared) => diffVersions(from, to).changes.map((c) => c.summary);

describe("version diff: settings", () => {
  it("names each changed setting with before → after", () => {
    const to = version({ id: "ver_b", label: "v2", model: "gpt-4o-2026-05", temperature: 0.5, seed: 7, provider: "openai" });
    const diff = diffVersions(base, to);
    expect(diff.changes.map((c) => c.summary)).toEqual([
      "model gpt-4o → gpt-4o-2026-05",
      "provider none → openai",
      "temperature 0.7 → 0.5",
      "seed none → 7",
    ]);
    expect(diff.changes.every((c) => c.part === "settings")).toBe(true);
    expect(diff.from).toEqual({ id: "ver_a", label: "v1" });
    expect(diff.prompt.changed).toBe(false);
  });

  it("lists stop sequences added and removed, the tool choice and each extra param", () => {
    const from = version({ stop: ["###", "END"], params: { seed: 1, logprobs: true } });
    const to = version({
      stop: ["END", "STOP"],
      tools: [lookupOrder],
      toolChoice: { name: "lookup_order" },
      params: { seed: 2, user: "x" },
    });
    expect(summaries(from, to)).toEqual([
      "stop sequences added “STOP”; removed “###”",
      "tool `lookup_order` added with parameters `orderId` (required)",
      "tool choice provider default → tool `lookup_order`",
      "param `seed` 1 → 2",
      "param `user` added: x",
      "param `logprobs` removed",
    ]);
    const params = diffVersions(from, to).changes.filter((c) => c.field.startsWith("params."));
    expect(params.map((c) => [c.field, c.kind])).toEqual([
      ["params.seed", "changed"],
      ["params.user", "added"],
      ["params.logprobs", "removed"],
    ]);
  });

  it("compares structured settings by content, not key order", () => {
    const from = version({ retrievalStrategy: { type: "vector", topK: 5 } });
    expect(diffVersions(from, version({ retrievalStrategy: { topK: 5, type: "vector" } })).changes).toEqual([]);
    expect(summaries(from, version())).toEqual(['retrievalStrategy {"topK":5,"type":"vector"} → none']);
  });

  it("reports the description", () => {
    expect(diffVersions(base, version({ description: "Cite sources" })).changes).toEqual([
      {
        part: "description",
        kind: "changed",
        field: "description",
        from: "",
        to: "Cite sources",
        summary: 'description "" → Cite sources',
      },
    ]);
  });

  it("finds nothing between a version and itself, and shows every message as the same", () => {
    const diff = diffVersions(base, base);
    expect(diff.changes).toEqual([]);
    expect(diff.messages.map((m) => [m.status, m.moved, m.fromIndex, m.toIndex])).toEqual([
      ["same", false, 0, 0],
      ["same", false, 1, 1],
      ["same", false, 2, 2],
    ]);
  });

  it("reports a change in every LLM field (a field the diff skips fails here)", () => {
    const changed: { [F in (typeof LLM_FIELDS)[number]]: Input } = {
      model: { model: "o3" },
      provider: { provider: "azure" },
      providerId: { providerId: "prv_other" },
      messages: { messages: [{ role: "system", content: "Other." }, history, user] },
      temperature: { temperature: 1 },
      topP: { topP: 0.5 },
      maxTokens: { maxTokens: 5 },
      stop: { stop: ["x"] },
      seed: { seed: 1 },
      tools: { tools: [lookupOrder] },
      toolChoice: { toolChoice: "none" },
      responseFormat: { responseFormat: { type: "json_object" } },
      retrievalStrategy: { retrievalStrategy: { type: "bm25" } },
      params: { params: { a: 1 } },
      variables: { variables: [{ name: "question", default: "hi" }] },
    };
    for (const field of LLM_FIELDS) {
      const diff = diffVersions(base, version(changed[field]));
      expect(diff.changes.length, field).toBeGreaterThan(0);
      expect(diff.changes.every((c) => c.field === field || c.field.startsWith(`${field}.`)), field).toBe(true);
    }
  });
});

describe("version diff: messages", () => {
  it("a changed message: which one, how many lines, and its line diff", () => {
    const content = "You are a support agent for Acme.\nBe brief and kind.\nNever guess.\nCite sources.\nSign as Ada.\n";
    const edited = { role: "system", content };
    const diff = diffVersions(base, withMessages(edited, history, user));
    expect(diff.changes.map((c) => c.summary)).toEqual(["message 1 (system) changed: 3 lines added, 1 removed"]);
    expect(diff.changes[0]).toMatchObject({ part: "messages", kind: "changed", field: "messages.0" });
    expect(diff.messages[0]).toMatchObject({
      status: "changed",
      moved: false,
      added: 3,
      removed: 1,
      summary: "message 1 (system) changed: 3 lines added, 1 removed",
    });
    expect(diff.messages[0].lines).toEqual([
      { op: "same", text: "You are a support agent for Acme." },
      { op: "removed", text: "Be brief." },
      { op: "added", text: "Be brief and kind." },
      { op: "added", text: "Never guess." },
      { op: "same", text: "Cite sources." },
      { op: "added", text: "Sign as Ada." },
    ]);
    // The first API's prompt diff follows the first system message.
    expect(diff.prompt).toMatchObject({ changed: true, added: 3, removed: 1 });
  });

  it("an added message is named with a preview; the messages after it did not move", () => {
    const example = { role: "assistant", content: "Sure, I can help with that." };
    const diff = diffVersions(base, withMessages(system, example, history, user));
    expect(diff.changes.map((c) => c.summary)).toEqual(["message 2 (assistant) added: “Sure, I can help with that.” (1 line)"]);
    expect(diff.messages.map((m) => [m.status, m.moved, m.fromIndex, m.toIndex])).toEqual([
      ["same", false, 0, 0],
      ["added", false, null, 1],
      ["same", false, 1, 2],
      ["same", false, 2, 3],
    ]);
    expect(diff.messages[1].lines).toEqual([{ op: "added", text: "Sure, I can help with that." }]);
  });

  it("a removed message is listed where it was", () => {
    const diff = diffVersions(base, withMessages(system, user));
    expect(diff.changes).toMatchObject([
      { kind: "removed", field: "messages.1", summary: "message 2 (history placeholder `history`) removed" },
    ]);
    expect(diff.messages.map((m) => [m.status, m.fromIndex, m.toIndex])).toEqual([
      ["same", 0, 0],
      ["removed", 1, null],
      ["same", 2, 1],
    ]);
  });

  it("a moved message: from where to where, and only that one", () => {
    const diff = diffVersions(base, withMessages(history, system, user));
    expect(diff.changes.map((c) => c.summary)).toEqual(["system message moved from 1 to 2"]);
    expect(diff.changes[0]).toMatchObject({ kind: "moved", field: "messages.1" });
    expect(diff.messages.map((m) => [m.status, m.moved])).toEqual([
      ["same", false],
      ["same", true],
      ["same", false],
    ]);
  });

  it("a message moved and edited says both", () => {
    const diff = diffVersions(base, withMessages(history, user, { role: "system", content: `${SYSTEM}Sign as Ada.\n` }));
    expect(diff.changes.map((c) => c.summary)).toEqual(["system message moved from 1 to 3 and changed: 1 line added"]);
  });

  it("the same text under another role is a role change, not a removal and an addition", () => {
    const diff = diffVersions(base, withMessages({ role: "developer", content: SYSTEM }, history, user));
    expect(diff.changes.map((c) => c.summary)).toEqual(["message 1 (developer) changed: role system → developer"]);
    expect(diff.prompt).toMatchObject({ changed: true, removed: 3, added: 0 }); // no system message any more
  });

  it("a rewritten message in the same place is a change; a renamed placeholder too", () => {
    const renamed = { role: "placeholder", name: "conversation" };
    const diff = diffVersions(base, withMessages(system, renamed, { role: "user", content: "Order {{order_id}}: {{question}}" }));
    expect(diff.changes.filter((c) => c.part === "messages").map((c) => c.summary)).toEqual([
      "message 2 (history placeholder `conversation`) changed: renamed `history` → `conversation`",
      "message 3 (user) changed: 1 line added, 1 removed",
    ]);
  });

  it("pairs an edited message with the most alike one of its role", () => {
    const a = (day: string) => ({ role: "user", content: `Where is my order? It was due on ${day}.` });
    const b = (item: string) => ({ role: "user", content: `I want a refund for a broken ${item}.` });
    const diff = diffVersions(withMessages(system, a("Monday"), b("kettle")), withMessages(system, b("toaster"), a("Tuesday")));
    expect(diff.changes.map((c) => c.summary)).toEqual([
      "message 2 (user) changed: 1 line added, 1 removed",
      "user message moved from 2 to 3 and changed: 1 line added, 1 removed",
    ]);
    expect(diff.messages.map((m) => [m.fromIndex, m.toIndex, m.moved])).toEqual([
      [0, 0, false],
      [2, 1, false],
      [1, 2, true],
    ]);
  });
});

describe("version diff: tools", () => {
  const withTools = (...tools: unknown[]) => version({ tools: tools as LlmSettings["tools"] });
  const emailed = {
    ...lookupOrder,
    parameters: {
      type: "object",
      properties: { orderId: { type: "string" }, email: { type: "string" } },
      required: ["orderId", "email"],
    },
  };

  it("a tool added or removed", () => {
    expect(summaries(withTools(), withTools(lookupOrder))).toEqual(["tool `lookup_order` added with parameters `orderId` (required)"]);
    expect(diffVersions(withTools(lookupOrder), withTools()).changes).toMatchObject([
      { part: "tools", kind: "removed", field: "tools.lookup_order", summary: "tool `lookup_order` removed" },
    ]);
  });

  it("a parameter gained, with whether it is required", () => {
    expect(diffVersions(withTools(lookupOrder), withTools(emailed)).changes).toMatchObject([
      {
        part: "tools",
        kind: "added",
        field: "tools.lookup_order.parameters.email",
        summary: "tool `lookup_order` gained required parameter `email`",
      },
    ]);
    const optional = { ...emailed, parameters: { ...emailed.parameters, required: ["orderId"] } };
    expect(summaries(withTools(lookupOrder), withTools(optional))).toEqual(["tool `lookup_order` gained optional parameter `email`"]);
  });

  it("a parameter lost, made required or optional, or changed", () => {
    expect(summaries(withTools(emailed), withTools(lookupOrder))).toEqual(["tool `lookup_order` lost required parameter `email`"]);
    const optional = { ...emailed, parameters: { ...emailed.parameters, required: ["orderId"] } };
    expect(summaries(withTools(emailed), withTools(optional))).toEqual(["tool `lookup_order` parameter `email` is now optional"]);
    expect(summaries(withTools(optional), withTools(emailed))).toEqual(["tool `lookup_order` parameter `email` is now required"]);
    const typed = {
      ...lookupOrder,
      parameters: { type: "object", properties: { orderId: { type: "integer", description: "the number" } }, required: [] },
    };
    expect(summaries(withTools(lookupOrder), withTools(typed))).toEqual([
      "tool `lookup_order` parameter `orderId` changed: type string → integer; description added; now optional",
    ]);
  });

  it("the description and the schema's other keywords", () => {
    const parameters = { ...lookupOrder.parameters, additionalProperties: false };
    const strict = { ...lookupOrder, description: "Find one order", parameters };
    expect(summaries(withTools(lookupOrder), withTools(strict))).toEqual([
      "tool `lookup_order` description changed",
      "tool `lookup_order` schema changed: additionalProperties false added",
    ]);
  });
});

describe("version diff: response format", () => {
  const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
  const summary = { type: "json_schema" as const, name: "summary", schema };

  it("from one kind to another", () => {
    expect(diffVersions(base, version({ responseFormat: summary })).changes).toMatchObject([
      {
        part: "responseFormat",
        kind: "added",
        field: "responseFormat",
        summary: "response format provider default → json_schema `summary`",
      },
    ]);
    expect(summaries(version({ responseFormat: { type: "json_object" } }), version({ responseFormat: { type: "text" } }))).toEqual([
      "response format json_object → text",
    ]);
  });

  it("a schema's properties and strictness", () => {
    const wider = {
      ...summary,
      strict: true,
      schema: {
        type: "object",
        properties: { answer: { type: "string" }, sources: { type: "array" } },
        required: ["answer", "sources"],
      },
    };
    expect(summaries(version({ responseFormat: summary }), version({ responseFormat: wider }))).toEqual([
      "response schema `summary` strict none → true",
      "response schema `summary` gained required property `sources`",
    ]);
  });
});

describe("version diff: variables", () => {
  it("a new variable the messages require without a default is called out", () => {
    const to = withMessages(system, history, { role: "user", content: "{{question}} (order {{order_id}})" });
    expect(diffVersions(base, to).changes.filter((c) => c.part === "variables")).toMatchObject([
      {
        kind: "added",
        field: "variables.order_id",
        summary: "variable `order_id` added (required, no default: requests that send variables without it get a 400)",
      },
    ]);
  });

  it("an optional variable, a default changed, a variable no longer used", () => {
    const from = version({ variables: [{ name: "question", default: "Hello" }] });
    const to = version({
      messages: [system, { role: "user", content: "{{#tone}}Tone: {{tone}}.{{/tone}}" }],
      variables: [{ name: "tone", default: "warm" }],
    });
    expect(diffVersions(from, to).changes.filter((c) => c.part === "variables").map((c) => c.summary)).toEqual([
      "variable `tone` added (optional)",
      "variable `question` removed",
    ]);
    const changedDefault = version({ variables: [{ name: "question", default: "Hi there" }] });
    expect(summaries(from, changedDefault)).toEqual(["variable `question` default “Hello” → “Hi there”"]);
    expect(summaries(from, base)).toEqual([
      "variable `question` default “Hello” removed (requests that send variables without it get a 400)",
    ]);
  });

  it("a variable that becomes required", () => {
    const from = withMessages(system, { role: "user", content: "{{#question}}Q: {{question}}{{/question}}" });
    const to = withMessages(system, { role: "user", content: "Q: {{question}}" });
    expect(diffVersions(from, to).changes.filter((c) => c.part === "variables").map((c) => c.summary)).toEqual([
      "variable `question` is now required (requests that send variables without it get a 400)",
    ]);
  });
});

describe("version diff answer", () => {
  it("is what the API declares", () => {
    const variables = [{ name: "question", description: "the ask" }];
    const to = version({ id: "ver_b", label: "v2", tools: [lookupOrder], messages: [user, system], variables });
    const diff = diffVersions(base, to);
    expect(VersionDiffDto.parse(diff)).toEqual(diff);
  });
});
