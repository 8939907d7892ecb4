import type { Db } from "../db/types";
import { NotFoundError } from "../errors";
import { findRollout } from "../release/rollout-repo";
import { parseInput } from "../validation";
import { listRolloutEvaluations, rolloutEvaluationTotals } from "./repo";
import { EvaluationLogDto, EvaluationLogQuery } from "./schemas";

// GET /api/admin/rollouts/{id}/evaluations: every evaluation of the rollout's outcomes, newest
// first (score, raw answer, latency, tokens, cost, error), and per evaluator how many are pending,
// done and failed, their mean score and what they cost.

export async function evaluationLog(db: Db, rolloutId: string, query: Record<string, string>): Promise<EvaluationLogDto> {
  const q = parseInput(EvaluationLogQuery, query, "query");
  if (!(await findRollout(db, rolloutId))) throw new NotFoundError(`No rollout with id ${rolloutId}.`);
  const [rows, totals] = await Promise.all([listRolloutEvaluations(db, rolloutId, q), rolloutEvaluationTotals(db, rolloutId)]);
  const page = rows.slice(0, q.limit);
  return EvaluationLogDto.parse({
    evaluations: page.map((row) => ({ ...row, id: row.id.toString(), requestId: row.requestId ?? "(outcome deleted)" })),
    nextCursor: rows.length > q.limit ? page[page.length - 1].id.toString() : null,
    totals: {
      costUsd: totals.reduce((sum, t) => sum + t.costUsd, 0),
      byEvaluator: totals.map((t) => ({ ...t, meanScore: t.meanScore === null ? null : Number(t.meanScore) })),
    },
  });
}
