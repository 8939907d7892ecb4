-- Model prices (issue 14): USD per million input and output tokens, by model name.

-- CreateTable
CREATE TABLE "model_prices" (
    "model" TEXT NOT NULL,
    "input_usd_per_million" DOUBLE PRECISION NOT NULL,
    "output_usd_per_million" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("model")
);

-- A few well-known models at their providers' published list prices (mid-2025), so costs show
-- from the first outcome; they are a starting point to check and edit, not a price feed.
INSERT INTO "model_prices" ("model", "input_usd_per_million", "output_usd_per_million", "updated_at") VALUES
    ('gpt-4o', 2.5, 10, CURRENT_TIMESTAMP),
    ('gpt-4o-mini', 0.15, 0.6, CURRENT_TIMESTAMP),
    ('gpt-4.1', 2, 8, CURRENT_TIMESTAMP),
    ('gpt-4.1-mini', 0.4, 1.6, CURRENT_TIMESTAMP),
    ('gpt-4.1-nano', 0.1, 0.4, CURRENT_TIMESTAMP),
    ('o3-mini', 1.1, 4.4, CURRENT_TIMESTAMP),
    ('claude-sonnet-4', 3, 15, CURRENT_TIMESTAMP),
    ('claude-3-5-haiku', 0.8, 4, CURRENT_TIMESTAMP),
    ('gemini-2.0-flash', 0.1, 0.4, CURRENT_TIMESTAMP);
