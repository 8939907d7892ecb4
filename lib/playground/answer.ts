import type { ChatCompletionChunk } from "../providers/chat-service";
import { MAX_ANSWER_CHARS, type ToolCallDto } from "./schemas";

// One column's answer, built from the streamed chunks as they arrive: the text, the tool calls
// (whose name and arguments come in pieces, keyed by their index), why it finished and the usage
// the last chunk carries. Pure; the caller times the chunks.

export interface Answer {
  content: string;
  toolCalls: Map<number, { id: string | null; name: string; arguments: string }>;
  finishReason: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  /** Characters of text and tool-call arguments so far. */
  chars: number;
  /** The text and arguments reached MAX_ANSWER_CHARS: the rest is not read. */
  tooLong: boolean;
}

/** What one chunk added, as the delta event passes it on; null when it added no token. */
export interface ChunkDelta {
  content?: string;
  toolCalls?: { index: number; id?: string; name?: string; arguments?: string }[];
}

export function emptyAnswer(): Answer {
  return { content: "", toolCalls: new Map(), finishReason: null, usage: null, chars: 0, tooLong: false };
}

/** Adds the chunk to the answer (in place) and says what it added. Choices other than the first are ignored. */
export function addChunk(answer: Answer, chunk: ChatCompletionChunk): ChunkDelta | null {
  if (chunk.usage) answer.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
  const choice = chunk.choices.find((c) => (c.index ?? 0) === 0);
  if (!choice) return null;
  if (choice.finish_reason) answer.finishReason = choice.finish_reason;
  const delta: ChunkDelta = {};
  const text = take(answer, choice.delta.content ?? "");
  if (text) {
    answer.content += text;
    delta.content = text;
  }
  for (const call of choice.delta.tool_calls ?? []) {
    const known = answer.toolCalls.get(call.index) ?? { id: null, name: "", arguments: "" };
    const args = take(answer, call.function?.arguments ?? "");
    const piece = { index: call.index, ...(call.id && { id: call.id }), ...(call.function?.name && { name: call.function.name }), ...(args && { arguments: args }) };
    if (piece.id) known.id = piece.id;
    if (piece.name) known.name += piece.name;
    if (piece.arguments) known.arguments += piece.arguments;
    answer.toolCalls.set(call.index, known);
    (delta.toolCalls ??= []).push(piece);
  }
  return delta.content !== undefined || delta.toolCalls ? delta : null;
}

/** The part of `text` that still fits under MAX_ANSWER_CHARS, counted in. */
function take(answer: Answer, text: string): string {
  const room = MAX_ANSWER_CHARS - answer.chars;
  if (text.length > room) answer.tooLong = true;
  const kept = text.length > room ? text.slice(0, Math.max(0, room)) : text;
  answer.chars += kept.length;
  return kept;
}

export function toolCallsOf(answer: Answer): ToolCallDto[] {
  return [...answer.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
}
