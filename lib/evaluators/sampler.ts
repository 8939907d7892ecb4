import { createHash } from "node:crypto";
import type { Db } from "../db/types";
import { parseTemplate } from "../template/parse";
import { chosenPerMinute, claimEvaluatorsToSample, insertEvaluations, outcomesToSample, setSampledThrough, settledFrontier } from "./repo";
import { chooseOutcomes, type Candidate, type MinuteCount } from "./sampling";

// The sampling pass: for each enabled evaluator (claimed FOR UPDATE SKIP LOCKED, so one instance
// samples it at a time), look at the config's outcomes that arrived since its last pass, choose
// some (lib/evaluators/sampling.ts) among those with samples, and queue an evaluation for each.
// An outcome is looked at once: the evaluator's cursor moves past it whether chosen or not, and
// (evaluator, outcome) is unique, so it cannot be queued twice. A pass looks only at outcomes up to
// the newest one received more than SETTLE_MS ago: an outcome id is taken when its batch's
// statement starts and seen when it commits, so a batch that commits a moment after a later one
// is still looked at. (One whose statement takes longer than SETTLE_MS from start to commit may be
// passed over: evaluators sample, they do not count.)

/** Outcomes received within this long of the pass wait for the next one (see outcomesAfter). */
export const SETTLE_MS = 2_000;
const OUTCOMES_PER_PASS = 5_000;
const EVALUATORS_PER_PASS = 200;

/** The outcome's draw in [0, 1): the same for the same evaluator and outcome on every instance. */
export function drawFor(evaluatorId: string, outcomeId: string): number {
  return createHash("sha256").update(`${evaluatorId}:${outcomeId}`).digest().readUInt32BE(0) / 2 ** 32;
}

function usesInput(prompt: string): boolean {
  const parsed = parseTemplate(prompt);
  return parsed.ok && parsed.template.variables.some((v) => v.name === "input");
}

/** One sampling pass over every evaluator it can claim; how many evaluations it queued. */
export async function samplePass(db: Db, now: Date): Promise<number> {
  const upTo = await settledFrontier(db, new Date(now.getTime() - SETTLE_MS));
  if (upTo === null) return 0;
  return db.$transaction(
    async (tx) => {
      let queued = 0;
      for (const evaluator of await claimEvaluatorsToSample(tx, EVALUATORS_PER_PASS)) {
        if (evaluator.sampledThrough >= upTo) continue;
        const range = { after: evaluator.sampledThrough, upTo };
        const withSample = await outcomesToSample(tx, evaluator.configId, range, usesInput(evaluator.prompt), OUTCOMES_PER_PASS);
        // A full page: the rest waits for the next pass.
        const through = withSample.length === OUTCOMES_PER_PASS ? withSample[withSample.length - 1].id : upTo;
        if (withSample.length === 0) {
          await setSampledThrough(tx, evaluator.id, through);
          continue;
        }
        const minutes = [...new Set(withSample.map((o) => o.minute.getTime()))];
        const already = new Map<number, MinuteCount>(
          (await chosenPerMinute(tx, evaluator.id, minutes.map((m) => new Date(m)))).map((r) => [r.minute.getTime(), { canary: r.canary, total: r.total }]),
        );
        const byId = new Map(withSample.map((o) => [o.id.toString(), o]));
        const candidates: Candidate[] = withSample.map((o) => ({ id: o.id.toString(), variant: o.variant, minute: o.minute.getTime() }));
        const chosen = chooseOutcomes(candidates, evaluator, already, (id) => drawFor(evaluator.id, id));
        if (chosen.length) {
          const rows = chosen.map((c) => {
            const o = byId.get(c.id)!;
            const { rolloutId, versionId, variant, minute } = o;
            return { evaluatorId: evaluator.id, configId: evaluator.configId, outcomeId: o.id, rolloutId, versionId, variant, minute, nextAttemptAt: now };
          });
          queued += (await insertEvaluations(tx, rows)).count;
        }
        await setSampledThrough(tx, evaluator.id, through);
      }
      return queued;
    },
    { timeout: 60_000 },
  );
}
