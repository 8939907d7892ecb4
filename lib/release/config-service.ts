import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/types";
import { ConflictError } from "../errors";
import { newId } from "../ids";
import { notifyChange } from "../change-notify";
import { parseInput } from "../validation";
import { requireConfig } from "./lookup";
import { findConfigRowByKey, insertConfig, listConfigRows, lockConfig, updateConfigSettings } from "./repo";
import { ConfigDetailDto, ConfigDto, configDtoOf, ConfigListItemDto, CreateConfigInput, UpdateConfigInput } from "./config-schemas";
import { listLastEndedRollouts, type LastEndedRolloutRow } from "./last-ended-repo";
import { findRollout } from "./rollout-repo";
import { toRolloutDto } from "./rollout-service";
import { findVersion } from "./version-repo";
import { versionDtoOf } from "./version-schemas";

// Reads of several rows (a config with its rollout and versions) run in one REPEATABLE READ
// transaction: Prisma turns an `include` into separate SELECTs, and an action committing between
// them would otherwise show a config routing to a rollout that has already ended.
const ONE_SNAPSHOT = { isolationLevel: "RepeatableRead" } as const;

/** Every config with its active rollout and its last ended one: a fixed number of queries, none per config. */
export async function listConfigs(db: Db): Promise<ConfigListItemDto[]> {
  return db.$transaction(async (tx) => {
    const rows = await listConfigRows(tx);
    const ended = new Map((await listLastEndedRollouts(tx)).map((row) => [row.configId, row]));
    return rows.map((row) => ConfigListItemDto.parse({ ...configDtoOf(row), lastEndedRollout: lastEndedOf(ended.get(row.id)) }));
  }, ONE_SNAPSHOT);
}

function lastEndedOf(row: LastEndedRolloutRow | undefined) {
  if (!row) return null;
  return {
    id: row.id,
    status: row.status,
    canaryVersion: { id: row.canaryVersionId, label: row.canaryLabel },
    endedAt: row.endedAt,
    endReason: row.endReason,
    endedBy: row.endedByType === null ? null : { type: row.endedByType, label: row.endedByLabel },
  };
}

/** A config with its full stable version and active rollout: what a client needs to act on it. */
export async function getConfig(db: Db, key: string): Promise<ConfigDetailDto> {
  return db.$transaction(async (tx) => {
    const row = await requireConfig(tx, key);
    const stable = row.stableVersionId ? await findVersion(tx, row.id, row.stableVersionId) : null;
    const active = row.activeRolloutId ? await findRollout(tx, row.activeRolloutId) : null;
    return ConfigDetailDto.parse({
      config: ConfigDto.parse(configDtoOf(row)),
      stableVersion: stable ? versionDtoOf(stable) : null,
      activeRollout: active ? toRolloutDto(active) : null,
    });
  }, ONE_SNAPSHOT);
}

export async function createConfig(db: Db, actor: Actor, raw: unknown): Promise<ConfigDto> {
  const input = parseInput(CreateConfigInput, raw);
  return db.$transaction(async (tx) => {
    if (await findConfigRowByKey(tx, input.key)) {
      throw new ConflictError(`A config with key \`${input.key}\` already exists.`);
    }
    const dto = ConfigDto.parse(configDtoOf(await insertConfig(tx, { id: newId("cfg"), ...input })));
    await appendAuditEvent(tx, {
      actor,
      action: "config.create",
      entityType: "config",
      entityId: dto.id,
      configId: dto.id,
      after: dto,
    });
    await notifyChange(tx, { kind: "config", configId: dto.id, revision: dto.revision });
    return dto;
  });
}

/**
 * PATCH a config's sample policy and gateway settings. They are not routing state: the revision
 * stays, and every instance's snapshot reloads on the notification like for any other change.
 */
export async function updateConfig(db: Db, actor: Actor, key: string, raw: unknown): Promise<ConfigDto> {
  const input = parseInput(UpdateConfigInput, raw);
  return db.$transaction(async (tx) => {
    const { id } = await requireConfig(tx, key);
    const row = configDtoOf(await lockConfig(tx, id));
    const changed = Object.keys(input) as (keyof UpdateConfigInput)[];
    const { samplePolicy, gatewayClientOverrides } = input;
    const columns = { ...(samplePolicy && { samplePolicy: samplePolicy.keep, sampleFraction: samplePolicy.fraction }), gatewayClientOverrides };
    const dto = ConfigDto.parse(configDtoOf(await updateConfigSettings(tx, id, columns)));
    await appendAuditEvent(tx, {
      actor,
      action: "config.update",
      entityType: "config",
      entityId: id,
      configId: id,
      before: Object.fromEntries(changed.map((field) => [field, row[field]])),
      after: Object.fromEntries(changed.map((field) => [field, dto[field]])),
    });
    await notifyChange(tx, { kind: "config", configId: id, revision: dto.revision });
    return dto;
  });
}
