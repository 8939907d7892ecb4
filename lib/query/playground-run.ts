import { formatValue } from "../analysis/format-value";
import type { ColumnHead, ColumnResultDto, PlaygroundEvent, PlaygroundRunDto } from "../playground/schemas";
import type { Wire } from "./wire";

// The playground page's state of a run while its events arrive: per column the text and tool
// calls so far, then the stored result (tokens, cost, timings, error). The events are the ones
// POST …/playground streams (lib/playground/schemas.ts). Pure.

export type PlaygroundEventWire = Wire<PlaygroundEvent>;
export type ColumnResultWire = Wire<ColumnResultDto>;
export type PlaygroundRunWire = Wire<PlaygroundRunDto>;

export interface LiveColumn {
  content: string;
  toolCalls: { id: string | null; name: string; arguments: string }[];
  /** The stored result, once the column finished. */
  result: ColumnResultWire | null;
}

export type ColumnHeadWire = Wire<ColumnHead>;

export interface LiveRun {
  runId: string | null;
  /** What each column called, from the start event. */
  heads: ColumnHeadWire[];
  columns: LiveColumn[];
  /** The stored run, after the last event. */
  run: PlaygroundRunWire | null;
  /** The stream broke off: the server's message. */
  failure: string | null;
}

export function startingRun(columns: number): LiveRun {
  return { runId: null, heads: [], columns: Array.from({ length: columns }, () => ({ content: "", toolCalls: [], result: null })), run: null, failure: null };
}

export function applyEvent(state: LiveRun, event: PlaygroundEventWire): LiveRun {
  switch (event.type) {
    case "start":
      return { ...state, runId: event.runId, heads: event.columns };
    case "delta":
      return withColumn(state, event.column, (column) => {
        const toolCalls = column.toolCalls.map((call) => ({ ...call }));
        for (const piece of event.toolCalls ?? []) {
          const call = (toolCalls[piece.index] ??= { id: null, name: "", arguments: "" });
          if (piece.id) call.id = piece.id;
          call.name += piece.name ?? "";
          call.arguments += piece.arguments ?? "";
        }
        return { ...column, content: column.content + (event.content ?? ""), toolCalls };
      });
    case "done":
      // The stored result is the whole answer: it replaces what the pieces added up to.
      return withColumn(state, event.column, () => ({ content: event.result.content, toolCalls: event.result.toolCalls, result: event.result }));
    case "run":
      return { ...state, run: event.run };
    case "failed":
      return { ...state, failure: event.error.message };
  }
}

function withColumn(state: LiveRun, index: number, change: (column: LiveColumn) => LiveColumn): LiveRun {
  if (!state.columns[index]) return state;
  return { ...state, columns: state.columns.map((column, i) => (i === index ? change(column) : column)) };
}

/** "840 ms" (whole milliseconds, as measured), "1.23 s" (as the rollout pages write latencies); "—" when there is none. */
export const durationText = (ms: number | null) => (ms !== null && ms < 1000 ? `${ms} ms` : formatValue(ms, "ms"));

/** "$0.00000510"; "no price" when the model has none in the price table (or the provider sent no usage). */
export const costText = (usd: number | null) => (usd === null ? "no price" : formatValue(usd, "usd"));
