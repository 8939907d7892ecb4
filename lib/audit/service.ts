import type { Db } from "../db/types";
import { requireConfig } from "../release/lookup";
import { parseInput } from "../validation";
import { listAuditRows } from "./repo";
import { AuditEventDto, AuditQuery, type AuditPageDto } from "./schemas";

/** Newest first; `nextCursor` fetches the next (older) page. */
export async function listAuditEvents(db: Db, query: Record<string, string>): Promise<AuditPageDto> {
  const input = parseInput(AuditQuery, query, "query");
  const configId = input.config ? (await requireConfig(db, input.config)).id : undefined;
  const rows = await listAuditRows(db, {
    configId,
    rolloutId: input.rollout,
    before: input.cursor ? BigInt(input.cursor) : undefined,
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return {
    events: page.map((row) => AuditEventDto.parse({ ...row, id: row.id.toString() })),
    nextCursor: rows.length > input.limit ? page[page.length - 1].id.toString() : null,
  };
}
