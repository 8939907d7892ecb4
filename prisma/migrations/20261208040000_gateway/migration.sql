-- The OpenAI-compatible gateway (issue 15): API keys may carry the `gateway` scope; a config says
-- which share of its gateway calls keep their input and output as samples, and whether a client's
-- sampling parameters may override its versions'; an outcome may carry its time to first token.

-- AlterEnum
ALTER TYPE "ApiKeyScope" ADD VALUE 'gateway';

-- AlterTable
ALTER TABLE "configs" ADD COLUMN "gateway_sample_rate" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN "gateway_client_overrides" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "outcomes" ADD COLUMN "ttft_ms" INTEGER;
