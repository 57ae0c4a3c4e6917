-- The executor's tables: units held by calls in flight, signed receipts, and the outbox that
-- settles them on chain (one record_usage per license per batch).
-- CreateTable
CREATE TABLE "usage_reservations" (
    "id" UUID NOT NULL,
    "license" TEXT NOT NULL,
    "units" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_reservations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "receipts" (
    "id" UUID NOT NULL,
    "license" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "buyer" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "image_digest" TEXT NOT NULL,
    "input_hash" TEXT NOT NULL,
    "output_hash" TEXT NOT NULL,
    "units" INTEGER NOT NULL,
    "exit_status" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "time" BIGINT NOT NULL,
    "meter" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "batch_id" BIGINT,
    "batch_index" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "receipts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_batches" (
    "id" BIGSERIAL NOT NULL,
    "license" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "buyer" TEXT NOT NULL,
    "units" INTEGER NOT NULL,
    "receipt_count" INTEGER NOT NULL,
    "receipts_root" TEXT NOT NULL,
    "expected_usage_used" DECIMAL(20,0) NOT NULL,
    "status" TEXT NOT NULL,
    "tx_signature" TEXT,
    "transaction" TEXT,
    "last_valid_height" BIGINT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "usage_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_reservations_license_idx" ON "usage_reservations"("license");

-- CreateIndex
CREATE INDEX "receipts_license_batch_id_idx" ON "receipts"("license", "batch_id");

-- CreateIndex
CREATE INDEX "receipts_skill_version_created_at_idx" ON "receipts"("skill", "version", "created_at");

-- CreateIndex
CREATE INDEX "usage_batches_status_idx" ON "usage_batches"("status");

-- CreateIndex
CREATE INDEX "usage_batches_license_idx" ON "usage_batches"("license");

