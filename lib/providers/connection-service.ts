import { appendAuditEvent } from "../audit/repo";
import { notifyChange } from "../change-notify";
import type { Actor } from "../auth/actor";
import type { Db, DbOrTx } from "../db/types";
import { ConflictError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { checkOutboundUrl } from "../outbound/target";
import { parseInput, validationError } from "../validation";
import { listModels } from "./openai-api";
import { ProviderCallError, type Connection } from "./provider-call";
import { deleteProviderRow, findProviderRow, findProviderRowByName, insertProviderRow, listProviderRows, lockProviderRow, updateProviderRow, type ProviderRow } from "./repo";
import { CreateProviderInput, MAX_HEADERS, ProviderDto, UpdateProviderInput, type ProviderNameDto, type ProviderTestDto } from "./schemas";
import { openSecrets, sealApiKey, sealHeaders, SealError } from "./sealed-fields";

// Provider connections: create, list, change, delete (each audited, in one transaction), test,
// and open one for a call. The key and the headers' values are sealed before they reach the
// database and leave it only for a call (connectionFor); answers and audit events carry the DTO,
// which has the key's hint and the headers' names and nothing else of them. A base URL the
// outbound policy refuses is refused when saved (400 naming `baseUrl`) and again at every call.
// Each change notifies the app instances: the gateway calls connections from its routing snapshot.

const toDto = (row: ProviderRow) => ProviderDto.parse(row);

async function requireRow(db: DbOrTx, id: string, lock = false): Promise<ProviderRow> {
  const row = lock ? await lockProviderRow(db, id) : await findProviderRow(db, id);
  if (!row) throw new NotFoundError(`No provider connection with id ${id}.`);
  return row;
}

/** A 400 naming `baseUrl` when the outbound policy refuses it (it is judged again at every call). */
async function requireAllowedUrl(baseUrl: string | undefined): Promise<void> {
  const refusal = baseUrl === undefined ? null : await checkOutboundUrl(baseUrl);
  if (refusal) throw validationError([{ path: "baseUrl", message: refusal.message }]);
}

async function requireFreeName(db: DbOrTx, name: string, self: string | null): Promise<void> {
  const holder = await findProviderRowByName(db, name);
  if (holder && holder.id !== self) {
    throw new ConflictError(`A provider connection is already named "${name}"; pick another name.`, undefined, [{ path: "name", message: "is taken" }]);
  }
}

export async function createProvider(db: Db, actor: Actor, raw: unknown): Promise<ProviderDto> {
  const input = parseInput(CreateProviderInput, raw);
  await requireAllowedUrl(input.baseUrl);
  const id = newId("prv");
  const sealed = { ...sealApiKey(id, input.apiKey), ...sealHeaders(id, input.headers) };
  return db.$transaction(async (tx) => {
    await requireFreeName(tx, input.name, null);
    const dto = toDto(await insertProviderRow(tx, { id, name: input.name, baseUrl: input.baseUrl, ...sealed }));
    await appendAuditEvent(tx, { actor, action: "provider.create", entityType: "provider", entityId: id, after: dto });
    await notifyChange(tx, { kind: "provider", providerId: id });
    return dto;
  });
}

export async function listProviders(db: Db): Promise<{ providers: ProviderDto[] }> {
  return { providers: (await listProviderRows(db)).map(toDto) };
}

/** Every connection's id and name, and nothing else: what anyone writing versions may pick from. */
export async function listProviderNames(db: Db): Promise<{ providers: ProviderNameDto[] }> {
  return { providers: (await listProviderRows(db)).map(({ id, name }) => ({ id, name })) };
}

export async function providerExists(db: DbOrTx, id: string): Promise<boolean> {
  return (await findProviderRow(db, id)) !== null;
}

export async function getProvider(db: Db, id: string): Promise<ProviderDto> {
  return toDto(await requireRow(db, id));
}

export async function updateProvider(db: Db, actor: Actor, id: string, raw: unknown): Promise<ProviderDto> {
  const input = parseInput(UpdateProviderInput, raw);
  await requireAllowedUrl(input.baseUrl);
  return db.$transaction(async (tx) => {
    const row = await requireRow(tx, id, true);
    if (input.name !== undefined) await requireFreeName(tx, input.name, id);
    const changes: Parameters<typeof updateProviderRow>[2] = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.baseUrl !== undefined && { baseUrl: input.baseUrl }),
      ...(input.apiKey !== undefined && sealApiKey(id, input.apiKey)),
      ...(input.headers !== undefined && sealHeaders(id, mergeHeaders(readHeaders(row), input.headers))),
    };
    const before = toDto(row);
    const after = toDto(await updateProviderRow(tx, id, changes));
    // Which secrets were replaced (never what they hold), so a new key alone still shows in the event.
    const secretsReplaced = { apiKey: input.apiKey !== undefined, headers: Object.keys(input.headers ?? {}).filter((name) => input.headers![name] !== null) };
    await appendAuditEvent(tx, { actor, action: "provider.update", entityType: "provider", entityId: id, before, after: { ...after, secretsReplaced } });
    await notifyChange(tx, { kind: "provider", providerId: id });
    return after;
  });
}

export async function deleteProvider(db: Db, actor: Actor, id: string): Promise<ProviderDto> {
  return db.$transaction(async (tx) => {
    const dto = toDto(await requireRow(tx, id, true));
    await deleteProviderRow(tx, id);
    await appendAuditEvent(tx, { actor, action: "provider.delete", entityType: "provider", entityId: id, before: dto });
    await notifyChange(tx, { kind: "provider", providerId: id });
    return dto;
  });
}

/** Lists the endpoint's models (GET {baseUrl}/models) and answers with what happened; never throws for the endpoint's failures. */
export async function testProvider(db: Db, id: string): Promise<ProviderTestDto> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const models = await listModels(await connectionFor(db, id), { timeoutMs: 10_000, idleTimeoutMs: 10_000 });
    return { ok: true, latencyMs: elapsed(), models, error: null };
  } catch (error) {
    if (!(error instanceof ProviderCallError)) throw error;
    return { ok: false, latencyMs: elapsed(), models: [], error: error.toJSON() };
  }
}

/**
 * The connection with its secrets in the clear, for a call (lib/providers/openai-api.ts); a 404
 * when there is none, a ProviderCallError `key_unreadable` when its secrets cannot be opened.
 */
export async function connectionFor(db: DbOrTx, id: string): Promise<Connection> {
  return openConnection(await requireRow(db, id));
}

/** A stored row's connection with its secrets in the clear (the gateway opens its snapshot's rows with it). */
export function openConnection(row: Pick<ProviderRow, "id" | "name" | "baseUrl" | "apiKeySealed" | "headersSealed">): Connection {
  try {
    return { baseUrl: row.baseUrl, ...openSecrets(row) };
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    throw new ProviderCallError("key_unreadable", `The stored API key of "${row.name}" cannot be read: ${error.message}. Enter the key (and the headers' values) again.`);
  }
}

/** The stored headers; none when they cannot be opened (under another key they are lost anyway). */
function readHeaders(row: ProviderRow): Record<string, string> {
  if (!row.headersSealed) return {};
  try {
    return openSecrets(row).headers;
  } catch (error) {
    if (error instanceof SealError) return {};
    throw error;
  }
}

/** JSON Merge Patch of the headers: a value sets (names match in any case), null removes. */
function mergeHeaders(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const merged = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    for (const existing of Object.keys(merged)) if (existing.toLowerCase() === name.toLowerCase()) delete merged[existing];
    if (value !== null) merged[name] = value;
  }
  if (Object.keys(merged).length > MAX_HEADERS) {
    throw validationError([{ path: "headers", message: `must leave at most ${MAX_HEADERS} headers; this change leaves ${Object.keys(merged).length}` }]);
  }
  return merged;
}
