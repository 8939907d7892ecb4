import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/types";
import { ConflictError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { parseInput } from "../validation";
import { findConfigRowByKey, insertConfig, listConfigRows } from "./repo";
import { ConfigDto, CreateConfigInput } from "./schemas";

export async function listConfigs(db: Db): Promise<ConfigDto[]> {
  return (await listConfigRows(db)).map((row) => ConfigDto.parse(row));
}

export async function getConfig(db: Db, key: string): Promise<ConfigDto> {
  const row = await findConfigRowByKey(db, key);
  if (!row) throw new NotFoundError(`No config with key \`${key}\`.`);
  return ConfigDto.parse(row);
}

export async function createConfig(db: Db, actor: Actor, raw: unknown): Promise<ConfigDto> {
  const input = parseInput(CreateConfigInput, raw);
  return db.$transaction(async (tx) => {
    if (await findConfigRowByKey(tx, input.key)) {
      throw new ConflictError(`A config with key \`${input.key}\` already exists.`);
    }
    const dto = ConfigDto.parse(await insertConfig(tx, { id: newId("cfg"), ...input }));
    await appendAuditEvent(tx, {
      actor,
      action: "config.create",
      entityType: "config",
      entityId: dto.id,
      configId: dto.id,
      after: dto,
    });
    return dto;
  });
}
