-- CreateTable
CREATE TABLE "rollout_reports" (
    "id" BIGSERIAL NOT NULL,
    "rollout_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollout_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rollout_reports_rollout_id_created_at_idx" ON "rollout_reports"("rollout_id", "created_at");

-- AddForeignKey
ALTER TABLE "rollout_reports" ADD CONSTRAINT "rollout_reports_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
