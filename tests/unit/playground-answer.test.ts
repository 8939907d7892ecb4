import { describe, expect, it } from "vitest";
import { addChunk, emptyAnswer, toolCallsOf } from "@/lib/playground/answer";
import { MAX_ANSWER_CHARS } from "@/lib/playground/schemas";
import type { ChatCompletionChunk } from "@/lib/providers/chat-service";

// A column's answer built from streamed chunks: text, tool calls in pieces, finish reason, usage.

const chunk = (delta: Record<string, unknown>, extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({ choices: [{ index: 0, delta, finish_reason: null }], ...extra });

describe("a streamed answer", () => {
  it("adds up the text, says what each chunk added, and ignores chunks without tokens", () => {
    const answer = emptyAnswer();
    expect(addChunk(answer, chunk({ role: "assistant", content: "" }))).toBeNull();
    expect(addChunk(answer, chunk({ content: "Hello " }))).toEqual({ content: "Hello " });
    expect(addChunk(answer, chunk({ content: "there" }))).toEqual({ content: "there" });
    expect(addChunk(answer, { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })).toBeNull();
    expect(addChunk(answer, { choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } })).toBeNull();
    expect(answer).toMatchObject({ content: "Hello there", finishReason: "stop", usage: { inputTokens: 7, outputTokens: 2 }, tooLong: false });
  });

  it("puts tool calls together from their pieces, in the order of their index", () => {
    const answer = emptyAnswer();
    addChunk(answer, chunk({ tool_calls: [{ index: 1, id: "call_b", function: { name: "second", arguments: "" } }] }));
    addChunk(answer, chunk({ tool_calls: [{ index: 0, id: "call_a", function: { name: "first", arguments: '{"i' } }] }));
    expect(addChunk(answer, chunk({ tool_calls: [{ index: 0, function: { arguments: 'd":1}' } }] }))).toEqual({ toolCalls: [{ index: 0, arguments: 'd":1}' }] });
    expect(toolCallsOf(answer)).toEqual([
      { id: "call_a", name: "first", arguments: '{"id":1}' },
      { id: "call_b", name: "second", arguments: "" },
    ]);
  });

  it("keeps at most MAX_ANSWER_CHARS and says when it cut", () => {
    const answer = emptyAnswer();
    addChunk(answer, chunk({ content: "x".repeat(MAX_ANSWER_CHARS - 2) }));
    expect(answer.tooLong).toBe(false);
    expect(addChunk(answer, chunk({ content: "abcd" }))).toEqual({ content: "ab" });
    expect(answer).toMatchObject({ tooLong: true, chars: MAX_ANSWER_CHARS });
    expect(answer.content).toHaveLength(MAX_ANSWER_CHARS);
  });
});
