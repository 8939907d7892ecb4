-- Online evaluators (issue 14): LLM-as-a-judge per config, and their evaluations (the work queue
-- the workers claim with SKIP LOCKED, and the evaluation log). The partial index on outcomes is what
-- the evaluators sample from: only outcomes with an output sample are in it.

-- CreateEnum
CREATE TYPE "EvaluationStatus" AS ENUM ('pending', 'done', 'failed');

-- CreateTable
CREATE TABLE "evaluators" (
    "id" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "score_key" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "answer" JSONB NOT NULL,
    "sample_rate" DOUBLE PRECISION NOT NULL,
    "min_per_minute" INTEGER NOT NULL,
    "max_per_minute" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "sampled_through" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "evaluators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluations" (
    "id" BIGSERIAL NOT NULL,
    "evaluator_id" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "outcome_id" BIGINT NOT NULL,
    "rollout_id" TEXT,
    "version_id" TEXT NOT NULL,
    "variant" "Variant" NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "status" "EvaluationStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "score" DOUBLE PRECISION,
    "raw_answer" TEXT,
    "latency_ms" INTEGER,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "evaluations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "evaluators_config_id_name_key" ON "evaluators"("config_id", "name");

-- CreateIndex
CREATE INDEX "evaluations_status_next_attempt_at_idx" ON "evaluations"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "evaluations_evaluator_id_minute_idx" ON "evaluations"("evaluator_id", "minute");

-- CreateIndex
CREATE INDEX "evaluations_rollout_id_id_idx" ON "evaluations"("rollout_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "evaluations_evaluator_id_outcome_id_key" ON "evaluations"("evaluator_id", "outcome_id");

-- CreateIndex
CREATE INDEX "outcomes_with_output_idx" ON "outcomes"("config_id", "id") WHERE (output IS NOT NULL);
