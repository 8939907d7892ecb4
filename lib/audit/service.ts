import type { Db } from "../db/types";
import { NotFoundError } from "../errors";
import { parseInput } from "../validation";
import { labelEvents } from "./entity-labels";
import { auditFacetRows, findConfigIdByKey, listAuditRows, type ActionFilter, type AuditVisibility } from "./repo";
import { AuditEventDto, AuditFacetsDto, AuditQuery, type AuditPageDto } from "./schemas";

const FACET_LIMIT = 200;

/**
 * Newest first, only what `visibility` lets the reader see, each event with the name of what it is
 * about and its config's key (./entity-labels.ts); `nextCursor` fetches the next (older) page.
 */
export async function listAuditEvents(db: Db, visibility: AuditVisibility, query: Record<string, string>): Promise<AuditPageDto> {
  const input = parseInput(AuditQuery, query, "query");
  const configId = input.config ? await configIdOf(db, input.config) : undefined;
  const rows = await listAuditRows(db, visibility, {
    configId,
    rolloutId: input.rollout,
    actor: input.actor,
    action: input.action ? actionFilter(input.action) : undefined,
    before: input.cursor ? BigInt(input.cursor) : undefined,
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const labels = await labelEvents(db, page);
  return {
    events: page.map((row, i) => AuditEventDto.parse({ ...row, ...labels[i], id: row.id.toString() })),
    nextCursor: rows.length > input.limit ? page[page.length - 1].id.toString() : null,
  };
}

// The audit log sits below lib/release (whose services write to it), so it looks the key up itself.
async function configIdOf(db: Db, key: string): Promise<string> {
  const id = await findConfigIdByKey(db, key);
  if (id === null) throw new NotFoundError(`No config with key \`${key}\`.`);
  return id;
}

/** `rollout.*` is every action under `rollout.`; anything else is one exact action. */
function actionFilter(action: string): ActionFilter {
  return action.endsWith(".*") ? { prefix: action.slice(0, -1) } : { exact: action };
}

/** The actors and actions of the events the reader may see, for the console's filter choices. */
export async function listAuditFacets(db: Db, visibility: AuditVisibility): Promise<AuditFacetsDto> {
  return AuditFacetsDto.parse(await auditFacetRows(db, visibility, FACET_LIMIT));
}
