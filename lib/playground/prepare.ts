import type { Db } from "../db/types";
import { NotFoundError, type ErrorDetail } from "../errors";
import type { TokenPrice } from "../pricing/cost";
import { priceOf } from "../pricing/service";
import { listProviderNames } from "../providers/connection-service";
import type { ChatRequest } from "../providers/chat-service";
import { chatRequestOf } from "../release/chat-request";
import { llmSettingsOf, type LlmSettings } from "../release/llm-settings";
import { prepareTemplate, refusalOf, renderPrepared } from "../release/llm-template";
import { requireConfig } from "../release/lookup";
import { getVersion } from "../release/version-service";
import type { VersionDto } from "../release/version-schemas";
import { validationError } from "../validation";
import type { ColumnHead, PlaygroundInput } from "./schemas";

// A run's columns made ready to call, or a 400 naming every field that stops one: a version that
// is not the config's, a connection that is missing or does not exist, a variable a template
// needs and nobody gave. Messages are rendered by the code /api/route renders with, and the call
// is built as the gateway builds one (lib/release/chat-request.ts), so the playground calls a
// version with exactly what an app routed to it would send.

export interface PreparedColumn {
  head: ColumnHead;
  /** Edits only: the settings as called. */
  edits: LlmSettings | null;
  request: ChatRequest;
  price: TokenPrice | undefined;
}

export interface PreparedRun {
  configId: string;
  configKey: string;
  columns: PreparedColumn[];
}

export async function prepareRun(db: Db, key: string, input: PlaygroundInput): Promise<PreparedRun> {
  const config = await requireConfig(db, key);
  const connections = new Map((await listProviderNames(db)).providers.map((p) => [p.id, p.name]));
  const problems: ErrorDetail[] = [];
  const problem = (path: string, message: string) => {
    if (!problems.some((p) => p.path === path)) problems.push({ path, message });
  };
  const versionOf = async (id: string, path: string): Promise<VersionDto | null> => {
    try {
      return await getVersion(db, key, id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      problem(path, `must name a version of \`${key}\`; ${id} is none`);
      return null;
    }
  };

  const columns: PreparedColumn[] = [];
  for (const [position, column] of input.columns.entries()) {
    const at = `columns.${position}`;
    const version = column.versionId !== undefined ? await versionOf(column.versionId, `${at}.versionId`) : null;
    const base = column.basedOnVersionId !== undefined ? await versionOf(column.basedOnVersionId, `${at}.basedOnVersionId`) : null;
    const settings = column.settings ?? (version && llmSettingsOf(version));
    if (!settings) continue;
    const label = (version ?? base)?.label ?? null;

    const providerId = column.providerId ?? settings.providerId;
    if (providerId === null) {
      problem(`${at}.providerId`, `is required: ${column.settings ? "the edits name" : `\`${label}\` names`} no provider connection to call; pick one`);
    } else if (!connections.has(providerId)) {
      // Where the id came from: the column, the edits, or the version (whose connection was deleted since).
      const [path, whose] = column.providerId !== undefined ? [`${at}.providerId`, ""] : column.settings ? [`${at}.settings.providerId`, ""] : [`${at}.providerId`, ` (\`${label}\` names it, but it was deleted since; pick another)`];
      problem(path, `must name a provider connection; ${providerId} is none${whose || " (GET /api/admin/provider-names lists them)"}`);
    }

    const rendered = renderPrepared(prepareTemplate(settings), input.variables);
    if (!rendered.ok) {
      for (const detail of refusalOf(rendered).details) problem(detail.path, `${detail.message} (column ${position + 1}${label ? `, ${label}` : ""})`);
      continue;
    }
    if (providerId === null || !connections.has(providerId)) continue;
    columns.push({
      head: {
        position,
        versionId: version?.id ?? null,
        basedOnVersionId: base?.id ?? null,
        versionLabel: label,
        model: settings.model,
        providerId,
        providerName: connections.get(providerId)!,
      },
      edits: column.settings ?? null,
      // As the gateway builds a call: the user message is the conversation, where the version's history goes.
      request: chatRequestOf(settings, rendered.messages, { messages: input.userMessage ? [{ role: "user", content: input.userMessage }] : [] }, false).body as ChatRequest,
      price: undefined,
    });
  }
  if (problems.length) throw validationError(problems);
  for (const column of columns) column.price = await priceOf(db, column.head.model);
  return { configId: config.id, configKey: config.key, columns };
}
