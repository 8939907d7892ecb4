import { appendAuditEvent } from "../audit/repo";
import { ForbiddenError, NotFoundError } from "../errors";
import { newId } from "../ids";
import type { Db, DbOrTx, Tx } from "../db/types";
import { notifyChange } from "../change-notify";
import { parseInput, validationError } from "../validation";
import type { Actor } from "./actor";
import type { KeySource, StoredKey } from "./api-key-check";
import { generateApiKey } from "./api-keys";
import {
  existingConfigKeys,
  findApiKeyById,
  findApiKeyBySelector,
  insertApiKey,
  listApiKeys as listRows,
  lockActiveApiKeysOf,
  lockUserForKeys,
  markApiKeyRevoked,
} from "./repo";
import { ApiKeyDto, CreateApiKeyInput } from "./schemas";
import { hasScope, scopesForRole, type Role } from "./scopes";

// API keys: create (shown once), list, revoke. A key rests on the rights of the user who made it
// (or, for a key made with another key, that key's user): when that user may no longer make keys
// — demoted below admin, or disabled — revokeKeysMadeBy revokes them in the same transaction.

type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof findApiKeyBySelector>>>;

export function toApiKeyDto(row: ApiKeyRow): ApiKeyDto {
  return ApiKeyDto.parse({
    ...row,
    configs: row.configKeys.length > 0 ? row.configKeys : null,
    createdBy: { userId: row.createdById, label: row.createdByLabel },
  });
}

/** Whether a user in this state may make API keys (and so keep the keys they made). */
export function mayMakeApiKeys(user: { role: Role; disabledAt: Date | null }): boolean {
  return user.disabledAt === null && hasScope(scopesForRole(user.role), "api-keys:manage");
}

export async function createApiKey(db: Db, actor: Actor, raw: unknown): Promise<{ key: string; apiKey: ApiKeyDto }> {
  const input = parseInput(CreateApiKeyInput, raw);
  const generated = generateApiKey();
  const apiKey = await db.$transaction(async (tx) => {
    const createdById = await creatorOf(tx, actor);
    const configKeys = input.configs ?? [];
    if (configKeys.length > 0) {
      const existing = await existingConfigKeys(tx, configKeys);
      const missing = configKeys.flatMap((key, i) => (existing.has(key) ? [] : [{ path: `configs.${i}`, message: `names no config (\`${key}\`)` }]));
      if (missing.length > 0) throw validationError(missing);
    }
    const row = await insertApiKey(tx, {
      id: newId("key"),
      name: input.name,
      selector: generated.selector,
      secretHash: generated.secretHash,
      scopes: input.scopes,
      configKeys,
      createdById,
      createdByLabel: actor.label,
    });
    const dto = toApiKeyDto(row);
    await appendAuditEvent(tx, { actor, action: "api_key.create", entityType: "api_key", entityId: row.id, after: dto });
    await notifyChange(tx, { kind: "api_key", apiKeyId: row.id });
    return dto;
  });
  return { key: generated.key, apiKey };
}

/**
 * The user the new key rests on: the signed-in user, or the user behind the key it is made with
 * (null for the CLI, the system, or a key the CLI made). Their row is locked until the commit, so
 * a concurrent demotion either sees this key and revokes it, or comes first and this one is refused.
 */
async function creatorOf(tx: Tx, actor: Actor): Promise<string | null> {
  const userId = actor.type === "user" ? actor.id : actor.type === "api_key" ? ((await findApiKeyById(tx, actor.id))?.createdById ?? null) : null;
  if (userId === null) return null;
  const user = await lockUserForKeys(tx, userId);
  if (!user || !mayMakeApiKeys(user)) {
    throw new ForbiddenError(`${user?.email ?? "The user behind this request"} may no longer make API keys.`);
  }
  return userId;
}

export async function listApiKeys(db: Db): Promise<ApiKeyDto[]> {
  return (await listRows(db)).map(toApiKeyDto);
}

export async function revokeApiKey(db: Db, actor: Actor, id: string): Promise<ApiKeyDto> {
  return db.$transaction(async (tx) => {
    const row = await findApiKeyById(tx, id);
    if (!row) throw new NotFoundError(`No API key with id ${id}.`);
    if (row.revokedAt) return toApiKeyDto(row); // revoking twice changes nothing
    return revokeInTx(tx, actor, row, null);
  });
}

async function revokeInTx(tx: Tx, actor: Actor, row: ApiKeyRow, reason: string | null): Promise<ApiKeyDto> {
  const before = toApiKeyDto(row);
  const after = toApiKeyDto(await markApiKeyRevoked(tx, row.id, new Date()));
  await appendAuditEvent(tx, { actor, action: "api_key.revoke", entityType: "api_key", entityId: row.id, before, after, reason });
  await notifyChange(tx, { kind: "api_key", apiKeyId: row.id });
  return after;
}

/**
 * Revokes every key still in force that rests on this user, each with an audit event giving
 * `reason`: called inside the transaction that demotes or disables them (lib/auth/user-service.ts).
 */
export async function revokeKeysMadeBy(tx: Tx, actor: Actor, userId: string, reason: string): Promise<ApiKeyDto[]> {
  const revoked: ApiKeyDto[] = [];
  for (const { id } of await lockActiveApiKeysOf(tx, userId)) {
    const row = await findApiKeyById(tx, id);
    if (row) revoked.push(await revokeInTx(tx, actor, row, reason));
  }
  return revoked;
}

/** The keys in the database, for the admin API's check (lib/auth/api-key-check.ts). */
export function databaseKeys(db: DbOrTx): KeySource<StoredKey & ApiKeyRow> {
  return {
    find: async (selector) => {
      const row = await findApiKeyBySelector(db, selector);
      return row ? { ...row, revoked: row.revokedAt !== null } : undefined;
    },
  };
}
