import type { DbOrTx, Prisma } from "../db/types";
import { LLM_FIELDS, type LlmSettings } from "./llm-settings";
import { systemPromptOf } from "./llm-template";

/**
 * The columns of a version's LLM settings: one per field, named as the field (a null JSON field is
 * left to the column's default, NULL), plus the legacy system_prompt the previous release reads.
 */
function llmColumns(llm: LlmSettings) {
  const columns = Object.fromEntries(LLM_FIELDS.map((field) => [field, llm[field] ?? undefined]));
  return { ...columns, systemPrompt: systemPromptOf(llm.messages) } as Pick<Prisma.VersionUncheckedCreateInput, (typeof LLM_FIELDS)[number] | "systemPrompt">;
}

type VersionMeta = Omit<Prisma.VersionUncheckedCreateInput, (typeof LLM_FIELDS)[number] | "systemPrompt">;

export function insertVersion(db: DbOrTx, meta: VersionMeta, llm: LlmSettings) {
  return db.version.create({ data: { ...meta, ...llmColumns(llm) } });
}

export function findVersion(db: DbOrTx, configId: string, id: string) {
  return db.version.findFirst({ where: { id, configId } });
}

export function findVersionByLabel(db: DbOrTx, configId: string, label: string) {
  return db.version.findUnique({ where: { configId_label: { configId, label } } });
}

export function listVersionRows(db: DbOrTx, configId: string) {
  return db.version.findMany({ where: { configId }, orderBy: { createdAt: "desc" } });
}
