-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'editor', 'operator', 'admin');

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('route', 'metrics', 'admin');

-- CreateEnum
CREATE TYPE "RolloutStatus" AS ENUM ('running', 'paused', 'promoted', 'rolled_back', 'aborted');

-- CreateEnum
CREATE TYPE "Variant" AS ENUM ('stable', 'canary');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('user', 'api_key', 'controller', 'system');

-- CreateEnum
CREATE TYPE "AlertChannelKind" AS ENUM ('webhook', 'slack');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "last_login_at" TIMESTAMPTZ(3),
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "selector" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "configs" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "stable_version_id" TEXT,
    "active_rollout_id" TEXT,
    "canary_version_id" TEXT,
    "canary_percent" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "configs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "versions" (
    "id" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "system_prompt" TEXT NOT NULL,
    "temperature" DOUBLE PRECISION NOT NULL,
    "top_p" DOUBLE PRECISION NOT NULL,
    "max_tokens" INTEGER NOT NULL,
    "retrieval_strategy" JSONB,
    "params" JSONB NOT NULL DEFAULT '{}',
    "description" TEXT NOT NULL DEFAULT '',
    "author_id" TEXT,
    "author_label" TEXT NOT NULL,
    "parent_version_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "canary_version_id" TEXT NOT NULL,
    "base_version_id" TEXT NOT NULL,
    "status" "RolloutStatus" NOT NULL,
    "stages" JSONB NOT NULL,
    "current_stage" INTEGER NOT NULL DEFAULT 0,
    "stage_started_at" TIMESTAMPTZ(3) NOT NULL,
    "paused_at" TIMESTAMPTZ(3),
    "salt" TEXT NOT NULL,
    "sticky" BOOLEAN NOT NULL DEFAULT true,
    "include_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "exclude_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "thresholds" JSONB NOT NULL,
    "auto_promote" BOOLEAN NOT NULL DEFAULT false,
    "awaiting_approval" BOOLEAN NOT NULL DEFAULT false,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "started_by" TEXT NOT NULL,
    "end_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outcomes" (
    "id" BIGSERIAL NOT NULL,
    "config_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "rollout_id" TEXT,
    "variant" "Variant" NOT NULL,
    "is_error" BOOLEAN NOT NULL,
    "error_type" TEXT,
    "latency_ms" INTEGER NOT NULL,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "rating" SMALLINT,
    "rating_comment" TEXT,
    "rated_at" TIMESTAMPTZ(3),
    "input" TEXT,
    "output" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outcomes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_rollups" (
    "id" BIGSERIAL NOT NULL,
    "config_id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "rollout_id" TEXT,
    "variant" "Variant" NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "rating_count" INTEGER NOT NULL DEFAULT 0,
    "rating_sum" INTEGER NOT NULL DEFAULT 0,
    "rating_hist" INTEGER[] DEFAULT ARRAY[0, 0, 0, 0, 0]::INTEGER[],
    "latency_sum_ms" BIGINT NOT NULL DEFAULT 0,
    "latency_hist" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "metric_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "config_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_channels" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlertChannelKind" NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT,
    "events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_deliveries" (
    "id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "rollout_id" TEXT,
    "payload" JSONB NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_selector_key" ON "api_keys"("selector");

-- CreateIndex
CREATE UNIQUE INDEX "configs_key_key" ON "configs"("key");

-- CreateIndex
CREATE UNIQUE INDEX "configs_stable_version_id_key" ON "configs"("stable_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "configs_active_rollout_id_key" ON "configs"("active_rollout_id");

-- CreateIndex
CREATE INDEX "versions_config_id_created_at_idx" ON "versions"("config_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "versions_config_id_label_key" ON "versions"("config_id", "label");

-- CreateIndex
CREATE INDEX "rollouts_config_id_created_at_idx" ON "rollouts"("config_id", "created_at");

-- CreateIndex
CREATE INDEX "rollouts_status_idx" ON "rollouts"("status");

-- CreateIndex
CREATE UNIQUE INDEX "rollouts_one_active_per_config" ON "rollouts"("config_id") WHERE (status = ANY (ARRAY['running'::"RolloutStatus", 'paused'::"RolloutStatus"]));

-- CreateIndex
CREATE INDEX "outcomes_version_id_at_idx" ON "outcomes"("version_id", "at");

-- CreateIndex
CREATE INDEX "outcomes_rollout_id_variant_at_idx" ON "outcomes"("rollout_id", "variant", "at");

-- CreateIndex
CREATE UNIQUE INDEX "outcomes_config_id_request_id_key" ON "outcomes"("config_id", "request_id");

-- CreateIndex
CREATE INDEX "metric_rollups_config_id_minute_idx" ON "metric_rollups"("config_id", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "metric_rollups_rollout_key" ON "metric_rollups"("rollout_id", "version_id", "minute") WHERE (rollout_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "metric_rollups_no_rollout_key" ON "metric_rollups"("version_id", "minute") WHERE (rollout_id IS NULL);

-- CreateIndex
CREATE INDEX "audit_events_config_id_at_idx" ON "audit_events"("config_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_entity_type_entity_id_at_idx" ON "audit_events"("entity_type", "entity_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "alert_deliveries_status_next_attempt_at_idx" ON "alert_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "alert_deliveries_channel_id_created_at_idx" ON "alert_deliveries"("channel_id", "created_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "configs" ADD CONSTRAINT "configs_stable_version_id_fkey" FOREIGN KEY ("stable_version_id") REFERENCES "versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "configs" ADD CONSTRAINT "configs_canary_version_id_fkey" FOREIGN KEY ("canary_version_id") REFERENCES "versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "configs" ADD CONSTRAINT "configs_active_rollout_id_fkey" FOREIGN KEY ("active_rollout_id") REFERENCES "rollouts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "versions" ADD CONSTRAINT "versions_config_id_fkey" FOREIGN KEY ("config_id") REFERENCES "configs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "versions" ADD CONSTRAINT "versions_parent_version_id_fkey" FOREIGN KEY ("parent_version_id") REFERENCES "versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_config_id_fkey" FOREIGN KEY ("config_id") REFERENCES "configs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_canary_version_id_fkey" FOREIGN KEY ("canary_version_id") REFERENCES "versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_base_version_id_fkey" FOREIGN KEY ("base_version_id") REFERENCES "versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Versions are immutable snapshots: refuse any UPDATE.
CREATE FUNCTION "versions_refuse_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'versions are immutable: create a new version instead (version %)', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER "versions_immutable" BEFORE UPDATE ON "versions"
  FOR EACH ROW EXECUTE FUNCTION "versions_refuse_update"();

-- Audit events are append-only: refuse UPDATE, DELETE and TRUNCATE.
CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"();
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"();
