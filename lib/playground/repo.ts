import type { DbOrTx, Prisma } from "../db/types";

// Playground runs: a run and its columns, written together once the last column has finished.

export type RunRow = Awaited<ReturnType<typeof listRunRows>>[number];

/** A column as stored: JSON fields as plain values (null: none). */
export type ColumnRecord = Omit<Prisma.PlaygroundRunColumnCreateManyInput, "runId" | "settings" | "toolCalls" | "error"> & { settings: unknown; toolCalls: unknown; error: unknown };

const json = (value: unknown) => (value === null ? undefined : (value as Prisma.InputJsonValue));

export function insertRunRow(db: DbOrTx, run: Prisma.PlaygroundRunUncheckedCreateInput, columns: ColumnRecord[]) {
  const data = columns.map((c) => ({ ...c, settings: json(c.settings), toolCalls: json(c.toolCalls), error: json(c.error) }));
  return db.playgroundRun.create({
    data: { ...run, columns: { createMany: { data } } },
    include: { columns: { orderBy: { position: "asc" } }, config: { select: { key: true } } },
  });
}

/** Newest first; `cursor`: the last run of the previous page (its id). One more than `limit`, to tell whether a next page exists. */
export function listRunRows(db: DbOrTx, configId: string, limit: number, cursor?: string) {
  return db.playgroundRun.findMany({
    where: { configId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    include: { columns: { orderBy: { position: "asc" } }, config: { select: { key: true } } },
  });
}
