-- Custom per-request scores (issue 17): their definitions per config, each outcome's scores, and
-- per-minute and per-hour sums of them beside metric_rollups.

-- CreateEnum
CREATE TYPE "ScoreKind" AS ENUM ('boolean', 'numeric');

-- CreateEnum
CREATE TYPE "ScoreDirection" AS ENUM ('higher_is_better', 'lower_is_better');

-- CreateTable
CREATE TABLE "score_definitions" (
    "id" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "kind" "ScoreKind" NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "direction" "ScoreDirection" NOT NULL,
    "guardrail" BOOLEAN NOT NULL,
    "threshold" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "score_definitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outcome_scores" (
    "outcome_id" BIGINT NOT NULL,
    "score_key" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "history" JSONB NOT NULL DEFAULT '[]',
    "scored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outcome_scores_pkey" PRIMARY KEY ("outcome_id","score_key")
);

-- CreateTable
CREATE TABLE "score_rollups" (
    "id" BIGSERIAL NOT NULL,
    "config_id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "rollout_id" TEXT,
    "variant" "Variant" NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "score_key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "sq_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "score_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "score_rollups_hourly" (
    "id" BIGSERIAL NOT NULL,
    "config_id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "rollout_id" TEXT,
    "variant" "Variant" NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "score_key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "sq_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "score_rollups_hourly_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "score_definitions_config_id_key_key" ON "score_definitions"("config_id", "key");

-- CreateIndex
CREATE INDEX "score_rollups_config_id_minute_idx" ON "score_rollups"("config_id", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "score_rollups_rollout_key" ON "score_rollups"("rollout_id", "version_id", "score_key", "minute") WHERE (rollout_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "score_rollups_no_rollout_key" ON "score_rollups"("version_id", "score_key", "minute") WHERE (rollout_id IS NULL);

-- CreateIndex
CREATE INDEX "score_rollups_hourly_config_id_hour_idx" ON "score_rollups_hourly"("config_id", "hour");

-- CreateIndex
CREATE UNIQUE INDEX "score_rollups_hourly_rollout_key" ON "score_rollups_hourly"("rollout_id", "version_id", "score_key", "hour") WHERE (rollout_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "score_rollups_hourly_no_rollout_key" ON "score_rollups_hourly"("version_id", "score_key", "hour") WHERE (rollout_id IS NULL);

-- AddForeignKey
ALTER TABLE "score_definitions" ADD CONSTRAINT "score_definitions_config_id_fkey" FOREIGN KEY ("config_id") REFERENCES "configs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
