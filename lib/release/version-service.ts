import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/types";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { newId } from "../ids";
import { notifyChange } from "../change-notify";
import { providerExists } from "../providers/connection-service";
import { parseInput } from "../validation";
import { requireConfig } from "./lookup";
import { lockConfig, updateConfigRouting } from "./repo";
import { diffVersions } from "./version-diff";
import { findVersion, findVersionByLabel, insertVersion, listVersionRows } from "./version-repo";
import { llmSettingsOf } from "./llm-settings";
import { CreateVersionInput, DiffQuery, versionDtoOf, type VersionDiffDto, type VersionDto } from "./version-schemas";

/** Versions are immutable; the first version of a config becomes its stable version. */
export async function createVersion(db: Db, actor: Actor, key: string, raw: unknown): Promise<VersionDto> {
  const configId = (await requireConfig(db, key)).id;
  const input = parseInput(CreateVersionInput, raw);
  return db.$transaction(async (tx) => {
    const config = await lockConfig(tx, configId);
    if (await findVersionByLabel(tx, configId, input.label)) {
      throw new ConflictError(`Config \`${key}\` already has a version labelled \`${input.label}\`; versions are immutable, pick a new label.`);
    }
    if (input.parentVersionId && !(await findVersion(tx, configId, input.parentVersionId))) {
      throw new ValidationError(`The \`parentVersionId\` field must name a version of \`${key}\`; ${input.parentVersionId} is not one.`, [
        { path: "parentVersionId", message: "must name a version of this config" },
      ]);
    }
    // Checked once, here: versions are immutable, and a connection deleted later leaves them as they are.
    if (input.providerId !== null && !(await providerExists(tx, input.providerId))) {
      throw new ValidationError(`The \`providerId\` field must name a provider connection; ${input.providerId} is none.`, [
        { path: "providerId", message: "must name a provider connection (GET /api/admin/provider-names lists them)" },
      ]);
    }
    const row = await insertVersion(tx, {
      id: newId("ver"),
      configId,
      label: input.label,
      description: input.description,
      authorId: actor.type === "user" ? actor.id : null,
      authorLabel: actor.label,
      parentVersionId: input.parentVersionId ?? config.stableVersionId,
    }, llmSettingsOf(input));
    const dto = versionDtoOf(row);
    await appendAuditEvent(tx, { actor, action: "version.create", entityType: "version", entityId: row.id, configId, after: dto });
    if (!config.stableVersionId) {
      const updated = await updateConfigRouting(tx, configId, { stableVersionId: row.id });
      await appendAuditEvent(tx, {
        actor,
        action: "config.set_stable",
        entityType: "config",
        entityId: configId,
        configId,
        before: { stableVersionId: null },
        after: { stableVersionId: row.id },
        reason: "first version of the config",
      });
      await notifyChange(tx, { kind: "config", configId, revision: updated.revision });
    } else {
      await notifyChange(tx, { kind: "version", configId, versionId: row.id });
    }
    return dto;
  });
}

export async function listVersions(db: Db, key: string): Promise<VersionDto[]> {
  return (await listVersionRows(db, (await requireConfig(db, key)).id)).map(versionDtoOf);
}

export async function getVersion(db: Db, key: string, id: string): Promise<VersionDto> {
  const row = await findVersion(db, (await requireConfig(db, key)).id, id);
  if (!row) throw new NotFoundError(`Config \`${key}\` has no version ${id}.`);
  return versionDtoOf(row);
}

export async function diffConfigVersions(db: Db, key: string, query: Record<string, string | undefined>): Promise<VersionDiffDto> {
  const { from, to } = parseInput(DiffQuery, query, "query");
  const [a, b] = await Promise.all([getVersion(db, key, from), getVersion(db, key, to)]);
  return diffVersions(a, b);
}
