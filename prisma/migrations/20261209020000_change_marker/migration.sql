-- The change marker (issue 16): one row whose `seq` each change an instance's routing snapshot
-- depends on bumps in its own transaction (lib/change-notify.ts), so the polling fallback reads
-- one row instead of counting whole tables, and each notification says which change it is.

-- CreateTable
CREATE TABLE "change_marker" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "change_marker_pkey" PRIMARY KEY ("id")
);

INSERT INTO "change_marker" ("id", "seq") VALUES (1, 0);
