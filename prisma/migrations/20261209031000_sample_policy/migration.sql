-- Sample policy (issue 16): one setting per config says which outcomes keep their input and output
-- samples — all, a fraction, only errors and low ratings, or none — for outcomes sent to
-- /api/metrics and gateway calls alike. It replaces the gateway's own share of calls
-- (gateway_sample_rate), which stays for instances of the previous release during a rolling
-- upgrade and is no longer read (a later migration drops it).
--
-- Each config keeps what it kept: a gateway share of 1 is `all`, a share between 0 and 1 that
-- `fraction`; with none, a config that has stored samples (sent by its clients) keeps `all` and
-- one that never stored any gets `none` (a gateway config keeps storing nothing). New configs: `all`.

-- CreateEnum
CREATE TYPE "SamplePolicy" AS ENUM ('all', 'fraction', 'errors_and_low_ratings', 'none');

-- AlterTable
ALTER TABLE "configs" ADD COLUMN "sample_policy" "SamplePolicy" NOT NULL DEFAULT 'all',
ADD COLUMN "sample_fraction" DOUBLE PRECISION;

UPDATE "configs" c SET
  "sample_policy" = CASE
    WHEN c."gateway_sample_rate" >= 1 THEN 'all'
    WHEN c."gateway_sample_rate" > 0 THEN 'fraction'
    WHEN EXISTS (SELECT 1 FROM "outcomes" o WHERE o."config_id" = c."id" AND (o."input" IS NOT NULL OR o."output" IS NOT NULL)) THEN 'all'
    ELSE 'none' END::"SamplePolicy",
  "sample_fraction" = CASE WHEN c."gateway_sample_rate" > 0 AND c."gateway_sample_rate" < 1 THEN c."gateway_sample_rate" END;

-- A fraction exactly when the policy is `fraction`, and strictly between 0 and 1 (0 is `none`, 1 `all`).
ALTER TABLE "configs" ADD CONSTRAINT "configs_sample_fraction_check"
  CHECK (("sample_policy" = 'fraction') = ("sample_fraction" IS NOT NULL) AND ("sample_fraction" IS NULL OR ("sample_fraction" > 0 AND "sample_fraction" < 1)));
