import { appendAuditEvent } from "../audit/repo";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import type { Db, DbOrTx } from "../db/types";
import { notifyChange } from "../change-notify";
import { parseInput } from "../validation";
import type { Actor } from "./actor";
import type { KeySource, StoredKey } from "./api-key-check";
import { generateApiKey } from "./api-keys";
import { findApiKeyById, findApiKeyBySelector, insertApiKey, listApiKeys as listRows, markApiKeyRevoked } from "./repo";
import { ApiKeyDto, CreateApiKeyInput } from "./schemas";

type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof findApiKeyBySelector>>>;

export async function createApiKey(db: Db, actor: Actor, raw: unknown): Promise<{ key: string; apiKey: ApiKeyDto }> {
  const input = parseInput(CreateApiKeyInput, raw);
  const generated = generateApiKey();
  const apiKey = await db.$transaction(async (tx) => {
    const row = await insertApiKey(tx, {
      id: newId("key"),
      name: input.name,
      selector: generated.selector,
      secretHash: generated.secretHash,
      scopes: input.scopes,
      createdById: actor.type === "user" ? actor.id : null,
    });
    const dto = ApiKeyDto.parse(row);
    await appendAuditEvent(tx, { actor, action: "api_key.create", entityType: "api_key", entityId: row.id, after: dto });
    await notifyChange(tx, { kind: "api_key", apiKeyId: row.id });
    return dto;
  });
  return { key: generated.key, apiKey };
}

export async function listApiKeys(db: Db): Promise<ApiKeyDto[]> {
  return (await listRows(db)).map((row) => ApiKeyDto.parse(row));
}

export async function revokeApiKey(db: Db, actor: Actor, id: string): Promise<ApiKeyDto> {
  return db.$transaction(async (tx) => {
    const row = await findApiKeyById(tx, id);
    if (!row) throw new NotFoundError(`No API key with id ${id}.`);
    const before = ApiKeyDto.parse(row);
    if (row.revokedAt) return before; // revoking twice changes nothing
    const after = ApiKeyDto.parse(await markApiKeyRevoked(tx, id, new Date()));
    await appendAuditEvent(tx, { actor, action: "api_key.revoke", entityType: "api_key", entityId: id, before, after });
    await notifyChange(tx, { kind: "api_key", apiKeyId: id });
    return after;
  });
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
