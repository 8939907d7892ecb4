import type { Db } from "../db/types";
import type { CancelSignal } from "../outbound/cancel";
import { costOfTokens } from "../pricing/cost";
import { ProviderCallError, streamThroughProvider, type CallOptions } from "../providers/chat-service";
import { addChunk, emptyAnswer, toolCallsOf, type ChunkDelta } from "./answer";
import type { PreparedColumn } from "./prepare";
import { AppError } from "../errors";
import { MAX_ANSWER_CHARS, type ColumnErrorDto, type ColumnResultDto } from "./schemas";

// One column of a run: its request streamed through its connection (the outbound policy judges
// every hop), each piece passed on as it comes, timed from the moment the request is sent. It
// never throws: a provider's failure, a timeout or a stop is the column's error, and the other
// columns go on.

export async function callColumn(db: Db, column: PreparedColumn, options: CallOptions, onDelta: (delta: ChunkDelta) => void): Promise<ColumnResultDto> {
  const answer = emptyAnswer();
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  let ttftMs: number | null = null;
  let error: ColumnErrorDto | null = null;
  try {
    for await (const chunk of streamThroughProvider(db, column.head.providerId, column.request, options)) {
      const delta = addChunk(answer, chunk);
      if (delta) {
        ttftMs ??= since();
        onDelta(delta);
      }
      if (answer.tooLong) {
        error = { kind: "too_long", status: null, message: `The answer passed ${MAX_ANSWER_CHARS} characters; the rest was not read.` };
        break; // hangs up
      }
    }
  } catch (thrown) {
    error = columnError(thrown, options.signal);
  }
  return {
    ...column.head,
    settings: column.edits,
    content: answer.content,
    toolCalls: toolCallsOf(answer),
    finishReason: answer.finishReason,
    inputTokens: answer.usage?.inputTokens ?? null,
    outputTokens: answer.usage?.outputTokens ?? null,
    costUsd: costOfTokens(column.price, answer.usage?.inputTokens, answer.usage?.outputTokens),
    latencyMs: since(),
    ttftMs,
    error,
  };
}

function columnError(thrown: unknown, signal: CancelSignal | undefined): ColumnErrorDto {
  if (thrown instanceof ProviderCallError) return thrown.toJSON();
  if (signal?.aborted) return { kind: "cancelled", status: null, message: "The run was stopped before this answer finished." };
  // E.g. the connection was deleted after the run started: its message is written for people.
  if (thrown instanceof AppError) return { kind: "internal", status: null, message: thrown.message };
  console.error("playground column failed", thrown);
  return { kind: "internal", status: null, message: "Something went wrong on our side calling this column; the server's log has the details." };
}
