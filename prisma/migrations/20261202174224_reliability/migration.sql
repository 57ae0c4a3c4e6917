-- Reliability from evidence: every call that reached a container (skill_calls, at most the last
-- 200 per version kept) and each version's figures over them (skill_reliability), which discovery
-- joins by key.
-- CreateTable
CREATE TABLE "skill_calls" (
    "id" UUID NOT NULL,
    "skill" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "image_digest" TEXT NOT NULL,
    "license" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "receipt_id" UUID,
    "counted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "skill_calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "skill_reliability" (
    "skill" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "timeouts" INTEGER NOT NULL,
    "p50_ms" INTEGER,
    "p95_ms" INTEGER,
    "last_call_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "skill_reliability_pkey" PRIMARY KEY ("skill","version")
);

-- CreateIndex
CREATE INDEX "skill_calls_skill_version_created_at_idx" ON "skill_calls"("skill", "version", "created_at" DESC);

-- CreateIndex
CREATE INDEX "skill_calls_counted_idx" ON "skill_calls"("counted");

