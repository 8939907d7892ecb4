-- Outcome retention (issue 16): outcomes, their score rows and the minute rollups move into tables
-- partitioned by UTC day, the hour rollups by UTC month, so retention drops whole partitions
-- (lib/db/partitions.ts) instead of deleting rows. The app creates the partitions (ahead of time and
-- on demand); this migration creates none of its own.
--
-- Existing rows are kept without being copied: each table's rows become one partition of the new
-- table ("<table>_legacy", from the beginning of time to the end of the day — or month — after the
-- newest row), dropped as a whole once that end is older than the retention. A table without rows
-- is dropped instead. Score rows gain the time of their outcome (the partition key), so they are
-- copied into their new table.
--
-- A unique index of a partitioned table must contain its partition key, so (config, request id)
-- can no longer be unique in outcomes itself: outcome_keys holds it, one row per stored outcome
-- with the outcome's time and id (also the way from a request id to its outcome's partition).

-- CreateTable
CREATE TABLE "outcome_keys" (
    "config_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "outcome_id" BIGINT NOT NULL,

    CONSTRAINT "outcome_keys_pkey" PRIMARY KEY ("config_id","request_id")
);

-- CreateIndex
CREATE INDEX "outcome_keys_at_idx" ON "outcome_keys"("at");

INSERT INTO "outcome_keys" ("config_id", "request_id", "at", "outcome_id") SELECT "config_id", "request_id", "at", "id" FROM "outcomes";
DROP INDEX "outcomes_config_id_request_id_key";

-- Renames the table to <table>_legacy (its indexes get a _legacy suffix, its primary key is dropped:
-- the partitioned table's includes the partition key) and makes <table> partitioned by `col`, with
-- the same columns and defaults. Indexes are added to it after.
CREATE FUNCTION pg_temp.make_partitioned(t text, col text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  legacy text := t || '_legacy';
  name text;
BEGIN
  EXECUTE format('ALTER TABLE %I RENAME TO %I', t, legacy);
  SELECT conname INTO name FROM pg_constraint WHERE conrelid = legacy::regclass AND contype = 'p';
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', legacy, name);
  FOR name IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = legacy::regclass LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', name, name || '_legacy');
  END LOOP;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY RANGE (%I)', t, legacy, col);
END
$$;

-- The end of the partition of `at` of a `span` (day or month), UTC.
CREATE FUNCTION pg_temp.partition_end(at timestamptz, span text) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT (date_trunc(span, at AT TIME ZONE 'UTC') + CASE span WHEN 'day' THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC'
$$;

-- Attaches <table>_legacy as the partition of everything before the end of the span after its
-- newest row (or now, whichever is later), or drops it when it has no rows.
CREATE FUNCTION pg_temp.keep_legacy(t text, col text, span text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  legacy text := t || '_legacy';
  newest timestamptz;
BEGIN
  EXECUTE format('SELECT max(%I) FROM %I', col, legacy) INTO newest;
  IF newest IS NULL THEN
    EXECUTE format('DROP TABLE %I', legacy);
  ELSE
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', t, legacy, pg_temp.partition_end(greatest(newest, now()), span));
  END IF;
END
$$;

-- outcomes, by day of `at`. The id sequence moves to the new table (dropping the legacy partition
-- must not drop it).
ALTER SEQUENCE "outcomes_id_seq" OWNED BY NONE;
SELECT pg_temp.make_partitioned('outcomes', 'at');
ALTER SEQUENCE "outcomes_id_seq" OWNED BY "outcomes"."id";
ALTER TABLE "outcomes" ADD CONSTRAINT "outcomes_pkey" PRIMARY KEY ("id", "at");
CREATE INDEX "outcomes_rollout_id_variant_at_idx" ON "outcomes"("rollout_id", "variant", "at");
CREATE INDEX "outcomes_with_output_idx" ON "outcomes"("config_id", "id") WHERE (output IS NOT NULL);
SELECT pg_temp.keep_legacy('outcomes', 'at', 'day');

-- metric_rollups, by day of `minute`.
ALTER SEQUENCE "metric_rollups_id_seq" OWNED BY NONE;
SELECT pg_temp.make_partitioned('metric_rollups', 'minute');
ALTER SEQUENCE "metric_rollups_id_seq" OWNED BY "metric_rollups"."id";
ALTER TABLE "metric_rollups" ADD CONSTRAINT "metric_rollups_pkey" PRIMARY KEY ("id", "minute");
CREATE INDEX "metric_rollups_config_id_minute_idx" ON "metric_rollups"("config_id", "minute");
CREATE UNIQUE INDEX "metric_rollups_rollout_key" ON "metric_rollups"("rollout_id", "version_id", "minute") WHERE (rollout_id IS NOT NULL);
CREATE UNIQUE INDEX "metric_rollups_no_rollout_key" ON "metric_rollups"("version_id", "minute") WHERE (rollout_id IS NULL);
SELECT pg_temp.keep_legacy('metric_rollups', 'minute', 'day');

-- metric_rollups_hourly, by month of `hour`.
ALTER SEQUENCE "metric_rollups_hourly_id_seq" OWNED BY NONE;
SELECT pg_temp.make_partitioned('metric_rollups_hourly', 'hour');
ALTER SEQUENCE "metric_rollups_hourly_id_seq" OWNED BY "metric_rollups_hourly"."id";
ALTER TABLE "metric_rollups_hourly" ADD CONSTRAINT "metric_rollups_hourly_pkey" PRIMARY KEY ("id", "hour");
CREATE INDEX "metric_rollups_hourly_config_id_hour_idx" ON "metric_rollups_hourly"("config_id", "hour");
CREATE UNIQUE INDEX "metric_rollups_hourly_rollout_key" ON "metric_rollups_hourly"("rollout_id", "version_id", "hour") WHERE (rollout_id IS NOT NULL);
CREATE UNIQUE INDEX "metric_rollups_hourly_no_rollout_key" ON "metric_rollups_hourly"("version_id", "hour") WHERE (rollout_id IS NULL);
SELECT pg_temp.keep_legacy('metric_rollups_hourly', 'hour', 'month');

-- score_rollups, by day of `minute`.
ALTER SEQUENCE "score_rollups_id_seq" OWNED BY NONE;
SELECT pg_temp.make_partitioned('score_rollups', 'minute');
ALTER SEQUENCE "score_rollups_id_seq" OWNED BY "score_rollups"."id";
ALTER TABLE "score_rollups" ADD CONSTRAINT "score_rollups_pkey" PRIMARY KEY ("id", "minute");
CREATE INDEX "score_rollups_config_id_minute_idx" ON "score_rollups"("config_id", "minute");
CREATE UNIQUE INDEX "score_rollups_rollout_key" ON "score_rollups"("rollout_id", "version_id", "score_key", "minute") WHERE (rollout_id IS NOT NULL);
CREATE UNIQUE INDEX "score_rollups_no_rollout_key" ON "score_rollups"("version_id", "score_key", "minute") WHERE (rollout_id IS NULL);
SELECT pg_temp.keep_legacy('score_rollups', 'minute', 'day');

-- score_rollups_hourly, by month of `hour`.
ALTER SEQUENCE "score_rollups_hourly_id_seq" OWNED BY NONE;
SELECT pg_temp.make_partitioned('score_rollups_hourly', 'hour');
ALTER SEQUENCE "score_rollups_hourly_id_seq" OWNED BY "score_rollups_hourly"."id";
ALTER TABLE "score_rollups_hourly" ADD CONSTRAINT "score_rollups_hourly_pkey" PRIMARY KEY ("id", "hour");
CREATE INDEX "score_rollups_hourly_config_id_hour_idx" ON "score_rollups_hourly"("config_id", "hour");
CREATE UNIQUE INDEX "score_rollups_hourly_rollout_key" ON "score_rollups_hourly"("rollout_id", "version_id", "score_key", "hour") WHERE (rollout_id IS NOT NULL);
CREATE UNIQUE INDEX "score_rollups_hourly_no_rollout_key" ON "score_rollups_hourly"("version_id", "score_key", "hour") WHERE (rollout_id IS NULL);
SELECT pg_temp.keep_legacy('score_rollups_hourly', 'hour', 'month');

-- outcome_scores, by day of its outcome's `at` (a new column), so a day's scores go with its outcomes.
ALTER TABLE "outcome_scores" RENAME TO "outcome_scores_old";
ALTER INDEX "outcome_scores_pkey" RENAME TO "outcome_scores_old_pkey";
CREATE TABLE "outcome_scores" (
    "outcome_id" BIGINT NOT NULL,
    "score_key" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "history" JSONB NOT NULL DEFAULT '[]',
    "scored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "outcome_scores_pkey" PRIMARY KEY ("outcome_id","score_key","at")
) PARTITION BY RANGE ("at");
-- A score row without its outcome cannot be written (ingest stores both in one statement, late
-- scores find the outcome first); were there one, its time is when it was scored.
CREATE TEMPORARY TABLE "scores_with_at" ON COMMIT DROP AS
  SELECT s.*, coalesce(o."at", s."scored_at") AS "at" FROM "outcome_scores_old" s LEFT JOIN "outcomes" o ON o."id" = s."outcome_id";
DO $$
DECLARE
  newest timestamptz := (SELECT max("at") FROM "scores_with_at");
BEGIN
  IF newest IS NOT NULL THEN
    EXECUTE format('CREATE TABLE "outcome_scores_legacy" PARTITION OF "outcome_scores" FOR VALUES FROM (MINVALUE) TO (%L)', pg_temp.partition_end(greatest(newest, now()), 'day'));
    INSERT INTO "outcome_scores" ("outcome_id", "score_key", "value", "history", "scored_at", "at")
      SELECT "outcome_id", "score_key", "value", "history", "scored_at", "at" FROM "scores_with_at";
  END IF;
END
$$;
DROP TABLE "outcome_scores_old";
