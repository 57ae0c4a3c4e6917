-- Publishing: jobs with their steps (leased, so an interrupted job fails instead of hanging) and
-- the scan report of each skill image, shown in skill details.
-- CreateTable
CREATE TABLE "publish_jobs" (
    "id" UUID NOT NULL,
    "publisher" TEXT NOT NULL,
    "repo" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "steps" JSONB NOT NULL,
    "commit_sha" TEXT,
    "skill" TEXT,
    "version" TEXT,
    "docs_cid" TEXT,
    "image_digest" TEXT,
    "findings" JSONB,
    "result" JSONB,
    "error" JSONB,
    "lease_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "publish_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "skill_scans" (
    "skill" TEXT NOT NULL,
    "image_digest" TEXT NOT NULL,
    "commit_sha" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "repo" TEXT NOT NULL,
    "findings" JSONB NOT NULL,
    "scanned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "skill_scans_pkey" PRIMARY KEY ("skill","image_digest")
);

-- CreateIndex
CREATE INDEX "publish_jobs_publisher_created_at_idx" ON "publish_jobs"("publisher", "created_at");

-- CreateIndex
CREATE INDEX "publish_jobs_status_lease_until_idx" ON "publish_jobs"("status", "lease_until");

