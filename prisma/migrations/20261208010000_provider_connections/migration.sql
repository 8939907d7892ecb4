-- Provider connections (issue 14): OpenAI-compatible endpoints the product calls itself. The API
-- key and the extra headers' values are stored sealed (AES-256-GCM, lib/providers/secret-box.ts),
-- never in the clear.

-- CreateTable
CREATE TABLE "provider_connections" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "api_key_sealed" TEXT NOT NULL,
    "api_key_hint" TEXT NOT NULL,
    "header_names" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "headers_sealed" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_connections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_connections_name_key" ON "provider_connections"("name");
