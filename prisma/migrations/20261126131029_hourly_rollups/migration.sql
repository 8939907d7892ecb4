-- CreateTable
CREATE TABLE "metric_rollups_hourly" (
    "id" BIGSERIAL NOT NULL,
    "config_id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "rollout_id" TEXT,
    "variant" "Variant" NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "rating_count" INTEGER NOT NULL DEFAULT 0,
    "rating_sum" INTEGER NOT NULL DEFAULT 0,
    "rating_hist" INTEGER[] DEFAULT ARRAY[0, 0, 0, 0, 0]::INTEGER[],
    "latency_sum_ms" BIGINT NOT NULL DEFAULT 0,
    "latency_hist" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "token_count" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_sq_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "metric_rollups_hourly_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "metric_rollups_hourly_config_id_hour_idx" ON "metric_rollups_hourly"("config_id", "hour");

-- CreateIndex
CREATE UNIQUE INDEX "metric_rollups_hourly_rollout_key" ON "metric_rollups_hourly"("rollout_id", "version_id", "hour") WHERE (rollout_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "metric_rollups_hourly_no_rollout_key" ON "metric_rollups_hourly"("version_id", "hour") WHERE (rollout_id IS NULL);
