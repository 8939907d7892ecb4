-- Playground runs (issue 14): who ran which versions (or unsaved edits) with which inputs, through
-- which connection, and what each column answered (text, tool calls, usage, latency, time to the
-- first token, cost, error). Listed per config, newest first.

-- CreateTable
CREATE TABLE "playground_runs" (
    "id" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "user_message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "playground_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "playground_run_columns" (
    "run_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "version_id" TEXT,
    "based_on_version_id" TEXT,
    "version_label" TEXT,
    "settings" JSONB,
    "provider_id" TEXT NOT NULL,
    "provider_name" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "tool_calls" JSONB NOT NULL DEFAULT '[]',
    "finish_reason" TEXT,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "latency_ms" INTEGER NOT NULL,
    "ttft_ms" INTEGER,
    "error" JSONB,

    CONSTRAINT "playground_run_columns_pkey" PRIMARY KEY ("run_id","position")
);

-- CreateIndex
CREATE INDEX "playground_runs_config_id_created_at_id_idx" ON "playground_runs"("config_id", "created_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "playground_runs" ADD CONSTRAINT "playground_runs_config_id_fkey" FOREIGN KEY ("config_id") REFERENCES "configs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "playground_run_columns" ADD CONSTRAINT "playground_run_columns_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "playground_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
