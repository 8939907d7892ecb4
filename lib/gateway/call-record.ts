import { MAX_SAMPLE_CHARS } from "../limits";
import { outcomeRow, type OutcomeFields, type OutcomeRow } from "../metrics/attribution";
import type { Snapshot } from "../snapshot/snapshot";
import type { PreparedCall } from "./chat-call";

// What one routed gateway call records: filled in while the answer passes through, turned into the
// outcome's stored row (what /api/metrics makes of an event) when the call ends.
// Latency runs from the request's arrival to the answer's last byte; time to first token to the
// first chunk that carries content, a refusal or a tool call. Samples — the client's messages and
// the answer as text — are captured when the config's sample policy may keep them.

export class CallRecord {
  isError = false;
  errorType: string | null = null;
  inputTokens: number | null = null;
  outputTokens: number | null = null;
  ttftMs: number | null = null;
  /** performance.now() when the client had the whole answer; null until then. */
  private endedAt: number | null = null;
  private readonly output: string[] | null;
  /** Streamed tool calls by index: their name and argument pieces. */
  private readonly toolCalls: { name: string; arguments: string }[] = [];

  constructor(
    readonly call: PreparedCall,
    readonly requestId: string,
    /** performance.now() when the request arrived. */
    private readonly startedAt: number,
    /** Date.now() when the request arrived. */
    private readonly at: number,
    sampled: boolean,
  ) {
    this.output = sampled ? [] : null;
  }

  /** Whether the answer's text is kept as a sample (so every chunk must be read). */
  get keepsOutput(): boolean {
    return this.output !== null;
  }

  fail(errorType: string): void {
    this.isError = true;
    this.errorType ??= errorType;
  }

  usage(usage: unknown): void {
    if (typeof usage !== "object" || usage === null) return;
    const { prompt_tokens: input, completion_tokens: output } = usage as Record<string, unknown>;
    if (isCount(input)) this.inputTokens = input;
    if (isCount(output)) this.outputTokens = output;
  }

  /** A whole answer's first choice. */
  answer(message: unknown): void {
    if (!this.output || typeof message !== "object" || message === null) return;
    const { content, tool_calls: calls, refusal } = message as Record<string, unknown>;
    if (typeof content === "string") this.output.push(content);
    else if (typeof refusal === "string") this.output.push(refusal);
    if (Array.isArray(calls)) {
      for (const call of calls) {
        const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
        this.toolCalls.push({ name: String(fn?.name ?? ""), arguments: String(fn?.arguments ?? "") });
      }
    }
  }

  /** A streamed chunk's first choice's delta; the first with content marks the time to first token. */
  delta(delta: unknown): void {
    if (typeof delta !== "object" || delta === null) return;
    const { content, tool_calls: calls, refusal } = delta as Record<string, unknown>;
    const text = typeof content === "string" ? content : typeof refusal === "string" ? refusal : "";
    const hasCalls = Array.isArray(calls) && calls.length > 0;
    if (this.ttftMs === null && (text !== "" || hasCalls)) this.ttftMs = performance.now() - this.startedAt;
    if (!this.output) return;
    if (text) this.output.push(text);
    if (hasCalls) {
      for (const call of calls as { index?: unknown; function?: { name?: unknown; arguments?: unknown } }[]) {
        const index = typeof call?.index === "number" && call.index >= 0 && call.index < 128 ? call.index : this.toolCalls.length;
        const slot = (this.toolCalls[index] ??= { name: "", arguments: "" });
        if (typeof call?.function?.name === "string") slot.name += call.function.name;
        if (typeof call?.function?.arguments === "string") slot.arguments += call.function.arguments;
      }
    }
  }

  /** Marks the answer's end: the latency stops here. */
  end(): void {
    this.endedAt ??= performance.now();
  }

  /**
   * The outcome's stored row, its latency to end() (or to now): attributed as routing chose —
   * the call's version, rollout and variant — so its batch only has to be stored (./recorder.ts).
   * Made where /api/metrics makes its rows (lib/metrics/attribution.ts), with the prices of the
   * snapshot the call was routed with.
   */
  row(snapshot: Snapshot): OutcomeRow {
    const { call } = this;
    let input: string | null = null;
    let output: string | null = null;
    if (this.output) {
      input = sampleText(inputText(call.clientMessages));
      const calls = this.toolCalls.filter(Boolean).map((c) => `${c.name}(${c.arguments})`);
      output = sampleText([this.output.join(""), ...calls].filter(Boolean).join("\n"));
    }
    const fields: OutcomeFields = {
      requestId: this.requestId,
      versionId: call.version.id,
      isError: this.isError,
      errorType: this.errorType,
      latencyMs: (this.endedAt ?? performance.now()) - this.startedAt,
      ttftMs: this.ttftMs,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      input,
      output,
    };
    const at = new Date(this.at).toISOString();
    return outcomeRow(snapshot, call.config, call.version.llm.model, fields, call.rolloutId, call.variant === "canary", at, []);
  }
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 100_000_000;

/** A message's text: its string content, or the text parts of a content array. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (typeof part?.text === "string" ? part.text : "")).filter(Boolean).join("\n");
}

/** One message alone: its text; a conversation: one `role: text` line per message. */
function inputText(messages: readonly unknown[]): string {
  const items = messages.map((m) => m as { role?: unknown; content?: unknown });
  if (items.length === 1) return contentText(items[0].content);
  return items.map((m) => `${String(m.role)}: ${contentText(m.content)}`).join("\n");
}

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Cut as ingest cuts a sample, and made storable (lib/text-check.ts): NUL and lone surrogates become U+FFFD. */
function sampleText(text: string): string {
  return text.slice(0, MAX_SAMPLE_CHARS).replace(UNSTORABLE, "\ufffd");
}
