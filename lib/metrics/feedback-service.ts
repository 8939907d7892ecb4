import type { z } from "zod";
import { assertKeyMayUseConfig, type ConfigLimitedKey } from "../auth/api-key-configs";
import type { Db } from "../db/types";
import { ConflictError, NotFoundError } from "../errors";
import { parseInput } from "../validation";
import { lockOutcomesByRequestId, setOutcomeRating, shiftRollupRating } from "./feedback-repo";
import { retryOnConflict } from "../db/retry";
import { FeedbackInput, type FeedbackDto } from "./schemas";

/**
 * POST /api/feedback: a late rating for a reported outcome. It lands in the outcome and in the
 * rollup of the minute the request happened, in one transaction; a second rating replaces the
 * first in both, and the outcome keeps the replaced one in its rating history. A key limited to
 * some configs gets 403 for another `config`, and without one finds only its own configs' outcomes.
 */
export async function recordFeedback(db: Db, key: ConfigLimitedKey, raw: unknown): Promise<FeedbackDto> {
  const input = parseInput(FeedbackInput, raw);
  if (input.config !== undefined) assertKeyMayUseConfig(key, input.config);
  // The transaction locks rollup rows a concurrent ingest batch may be upserting; when Postgres
  // breaks a deadlock between them it is safe to run again, so the client is not told to retry.
  return retryOnConflict(() => rateOutcome(db, input, key.configs));
}

// A burst of ratings for one minute queues on that minute's rollup rows (a few hundred a second
// here): a rating may take longer than Prisma's 5 s default and still be fine.
const RATING_TX = { timeout: 20_000 };

async function rateOutcome(db: Db, input: z.infer<typeof FeedbackInput>, configs: readonly string[] | null): Promise<FeedbackDto> {
  return db.$transaction(async (tx) => {
    const matches = await lockOutcomesByRequestId(tx, input.requestId, input.config ?? null, configs);
    if (matches.length === 0) {
      const where = input.config ? ` in config \`${input.config}\`` : "";
      throw new NotFoundError(`No outcome with request id "${input.requestId}" was reported${where}; send the outcome to /api/metrics first.`);
    }
    if (matches.length > 1) {
      const keys = matches.map((m) => `\`${m.config_key}\``).join(", ");
      throw new ConflictError(`Request id "${input.requestId}" was reported for several configs (${keys}); send \`config\` to say which.`);
    }
    const [outcome] = matches;
    const old = outcome.rating;
    await setOutcomeRating(tx, outcome, input.rating, input.comment ?? null);
    const histDelta = [0, 0, 0, 0, 0];
    histDelta[input.rating - 1] += 1;
    if (old !== null) histDelta[old - 1] -= 1;
    await shiftRollupRating(tx, outcome, old === null ? 1 : 0, input.rating - (old ?? 0), histDelta);
    return { requestId: input.requestId, config: outcome.config_key, rating: input.rating, replaced: old };
  }, RATING_TX);
}
