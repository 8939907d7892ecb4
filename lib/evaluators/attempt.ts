import type { Database } from "../db/client";
import type { Prisma } from "../db/types";
import { NotFoundError } from "../errors";
import { storeOutcomeScores } from "../metrics/late-score-service";
import { costOfTokens } from "../pricing/cost";
import { priceOf } from "../pricing/service";
import { chatThroughProvider, ProviderCallError } from "../providers/chat-service";
import { defaultsOf, renderText } from "../template/render";
import { readAnswer, type AnswerFormat } from "./answer";
import { evaluationRetryDelayMs } from "./backoff";
import { findScoreDefinition, loadWork, recordAttempt } from "./repo";
import { MAX_RAW_ANSWER_CHARS } from "./schemas";

// One attempt at one evaluation: render the judge prompt with the outcome's samples and the
// version's variables' defaults, call the connection's model, read the score from the answer and
// store it through the late-score path (lib/metrics/late-score-service.ts storeOutcomeScores).
// The result is recorded on the evaluation: done with the score, the raw answer, latency, tokens
// and cost; or the error, and either another attempt after a backoff (a provider failure, up to
// maxAttempts) or failed for good (an answer that cannot be read, a prompt that cannot be
// rendered, a score no longer defined, a refusal by the outbound policy).

export type Work = Awaited<ReturnType<typeof loadWork>>[number];

export interface AttemptSettings {
  timeoutMs: number;
  maxAttempts: number;
  /** Aborted when the worker stops: the evaluation is handed back, not failed. */
  signal: AbortSignal;
  random?: () => number;
}

export type AttemptResult =
  | { kind: "done"; rolloutId: string | null }
  | { kind: "unreadable" | "final" }
  /** The provider failed: `retry` false when the attempts are used up. */
  | { kind: "provider_failed"; retry: boolean }
  | { kind: "handed_back" };

const JUDGE_MAX_TOKENS = 512;

export async function attemptEvaluation(db: Database, work: Work, settings: AttemptSettings): Promise<AttemptResult> {
  const now = () => new Date();
  const record = (data: Prisma.EvaluationUncheckedUpdateManyInput) => recordAttempt(db.prisma, work.id, work.attempts, data);
  const fail = async (error: string, extra: Prisma.EvaluationUncheckedUpdateManyInput = {}) => {
    await record({ status: "failed", error, finishedAt: now(), ...extra });
    return { kind: "final" } as const;
  };

  if (work.output === null || work.outcomeAt === null) return fail("The outcome is gone, or has no output sample.");
  const outcomeAt = work.outcomeAt;
  const definition = await findScoreDefinition(db.prisma, work.configId, work.scoreKey);
  if (!definition) return fail(`The config has no score \`${work.scoreKey}\` any more.`);
  const declared = Array.isArray(work.variables) ? (work.variables as { name: string; default?: string | null }[]) : [];
  const rendered = renderText(work.prompt, { input: work.input ?? "", output: work.output }, defaultsOf(declared));
  if (!rendered.ok) {
    const why =
      "missing" in rendered
        ? `it needs ${rendered.missing.map((m) => `{{${m}}}`).join(", ")}, which the version gives no default`
        : "it is not a valid template";
    return fail(`The prompt cannot be filled in: ${why}.`);
  }

  const cutOff = AbortSignal.timeout(settings.timeoutMs * 2);
  const started = Date.now();
  let completion;
  try {
    completion = await chatThroughProvider(
      db.prisma,
      work.providerId,
      { model: work.model, messages: [{ role: "user", content: rendered.text }], temperature: 0, max_tokens: JUDGE_MAX_TOKENS },
      { timeoutMs: settings.timeoutMs, idleTimeoutMs: settings.timeoutMs, signal: AbortSignal.any([settings.signal, cutOff]) },
    );
  } catch (error) {
    const latencyMs = Date.now() - started;
    if (settings.signal.aborted) {
      // Stopping: give the evaluation back for the next pass (here or on another instance).
      await record({ attempts: work.attempts - 1, nextAttemptAt: now() });
      return { kind: "handed_back" };
    }
    if (!(error instanceof ProviderCallError || error instanceof NotFoundError || cutOff.aborted)) throw error;
    const message = failureMessage(error, cutOff.aborted, settings.timeoutMs);
    if (error instanceof NotFoundError) return fail(message, { latencyMs });
    // A refusal by the outbound policy cannot change by waiting (as with alert deliveries).
    const retry = !(error instanceof ProviderCallError && error.kind === "refused_by_policy") && work.attempts < settings.maxAttempts;
    await record(
      retry
        ? { error: message, latencyMs, nextAttemptAt: new Date(Date.now() + evaluationRetryDelayMs(work.attempts, settings.random)) }
        : { status: "failed", error: message, latencyMs, finishedAt: now() },
    );
    return { kind: "provider_failed", retry };
  }
  const latencyMs = Date.now() - started;
  const text = completion.choices[0]?.message.content ?? "";
  const inputTokens = completion.usage?.prompt_tokens ?? null;
  const outputTokens = completion.usage?.completion_tokens ?? null;
  const cost = costOfTokens(await priceOf(db.prisma, work.model), inputTokens, outputTokens);
  const measured = {
    rawAnswer: text.slice(0, MAX_RAW_ANSWER_CHARS),
    latencyMs,
    inputTokens,
    outputTokens,
    costUsd: cost === null ? work.costUsd : (work.costUsd ?? 0) + cost,
  };
  const reading = readAnswer(text, work.answer as AnswerFormat, definition);
  if (!reading.ok) {
    await fail(reading.error, measured);
    return { kind: "unreadable" };
  }
  // The score first: should this process die before the row says done, the evaluation is
  // claimed again when its lease runs out and the score replaced (its first value kept in history).
  await storeOutcomeScores(db, [{ outcomeId: work.outcomeId.toString(), at: outcomeAt, key: work.scoreKey, value: reading.value }]);
  await record({ status: "done", score: reading.value, error: null, finishedAt: now(), ...measured });
  return { kind: "done", rolloutId: work.rolloutId };
}

/** What went wrong with a call, in words safe to show: a ProviderCallError's message is scrubbed of secrets. */
function failureMessage(error: unknown, cutOff: boolean, timeoutMs: number): string {
  if (error instanceof ProviderCallError) return error.message;
  if (cutOff) return `The answer did not arrive whole within ${Math.round((timeoutMs * 2) / 1000)} s.`;
  if (error instanceof NotFoundError) return "Its provider connection no longer exists.";
  return "The call failed.";
}
