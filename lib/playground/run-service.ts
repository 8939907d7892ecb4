import type { Actor } from "../auth/actor";
import type { Db } from "../db/types";
import { newId } from "../ids";
import type { CallOptions } from "../providers/chat-service";
import { requireConfig } from "../release/lookup";
import { parseInput } from "../validation";
import { callColumn } from "./column-call";
import { EventQueue } from "./event-queue";
import { prepareRun, type PreparedRun } from "./prepare";
import { insertRunRow, listRunRows, type RunRow } from "./repo";
import { PlaygroundInput, PlaygroundRunDto, RunsPageDto, RunsQuery, type ColumnResultDto, type PlaygroundEvent } from "./schemas";

// A playground run: every column called at once through its connection, each streaming its own
// events, and the run stored once the last column has finished (answered, failed or stopped).
// Bad input is refused before anything is called. The columns run on their own, not at the pace
// of whoever reads the events: a reader that goes away stops nothing but its own reading, and
// cancel() stops the columns still answering (the run is stored with what came).

export interface PlaygroundRun {
  /** `start`, then `delta` and `done` events of the columns as they come, and `run` (the stored run) last. */
  events: AsyncIterable<PlaygroundEvent>;
  /** The stored run. */
  finished: Promise<PlaygroundRunDto>;
  cancel(): void;
}

export interface RunOptions {
  /** Per column: until the answer's status, and the longest silence while it streams (lib/providers defaults). */
  call?: Pick<CallOptions, "timeoutMs" | "idleTimeoutMs">;
}

export async function startPlaygroundRun(db: Db, actor: Actor, key: string, raw: unknown, options: RunOptions = {}): Promise<PlaygroundRun> {
  const input = parseInput(PlaygroundInput, raw);
  const prepared = await prepareRun(db, key, input);
  const id = newId("pgr");
  const startedAt = new Date();
  const started = performance.now();
  const abort = new AbortController();
  const queue = new EventQueue<PlaygroundEvent>();
  queue.push({ type: "start", runId: id, startedAt, columns: prepared.columns.map((c) => c.head) });
  const finished = (async () => {
    const results = await Promise.all(
      prepared.columns.map(async (column) => {
        const at = column.head.position;
        const result = await callColumn(db, column, { ...options.call, signal: abort.signal }, (delta) => queue.push({ type: "delta", column: at, ...delta }));
        queue.push({ type: "done", column: at, result });
        return result;
      }),
    );
    const run = await storeRun(db, actor, id, prepared, input, startedAt, Math.round(performance.now() - started), results);
    queue.push({ type: "run", run });
    queue.close();
    return run;
  })();
  finished.catch((error: unknown) => queue.fail(error));
  return { events: queue, finished, cancel: () => abort.abort() };
}

async function storeRun(db: Db, actor: Actor, id: string, prepared: PreparedRun, input: PlaygroundInput, createdAt: Date, durationMs: number, results: ColumnResultDto[]): Promise<PlaygroundRunDto> {
  const row = await insertRunRow(
    db,
    { id, configId: prepared.configId, actorType: actor.type, actorId: actor.id, actorLabel: actor.label, variables: input.variables, userMessage: input.userMessage, createdAt, durationMs },
    results,
  );
  return runDtoOf(row);
}

function runDtoOf(row: RunRow): PlaygroundRunDto {
  return PlaygroundRunDto.parse({
    ...row,
    configKey: row.config.key,
    actor: { type: row.actorType, label: row.actorLabel },
    columns: row.columns,
  });
}

/** The config's runs, newest first, a page at a time. */
export async function listPlaygroundRuns(db: Db, key: string, query: Record<string, string>): Promise<RunsPageDto> {
  const { limit, cursor } = parseInput(RunsQuery, query, "query");
  const config = await requireConfig(db, key);
  const rows = await listRunRows(db, config.id, limit, cursor);
  const page = rows.slice(0, limit);
  return { runs: page.map(runDtoOf), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}
