-- Program v2 changes every account's layout and the events the projection is built from, so
-- rows projected from a v1 chain cannot be carried over: the chain's projection is emptied (the
-- api's own tables stay) and the indexer rebuilds it from the chain it is pointed at.
TRUNCATE "marketplaces", "agents", "skills", "skill_versions", "licenses", "purchases", "usage_events", "reviews",
  "skill_daily_stats", "seller_reputation", "indexed_events", "indexer_cursor", "dead_letters";

-- DropIndex
DROP INDEX "usage_events_receipt_hash_idx";

-- AlterTable
ALTER TABLE "licenses" ADD COLUMN     "paid" DECIMAL(20,0) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "marketplaces" DROP COLUMN "meter_authority",
ADD COLUMN     "fee_effective_at" TIMESTAMPTZ(3),
ADD COLUMN     "notice_secs" BIGINT NOT NULL,
ADD COLUMN     "pauser" TEXT NOT NULL,
ADD COLUMN     "pending_admin" TEXT,
ADD COLUMN     "pending_fee_bps" INTEGER;

-- AlterTable
ALTER TABLE "purchases" ADD COLUMN     "fee_bps" INTEGER NOT NULL,
ADD COLUMN     "paid" DECIMAL(20,0) NOT NULL;

-- AlterTable
ALTER TABLE "reviews" ADD COLUMN     "deleted" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "weight" DECIMAL(20,0) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "skill_versions" ADD COLUMN     "effective_at" TIMESTAMPTZ(3) NOT NULL;

-- AlterTable
ALTER TABLE "skills" ADD COLUMN     "pending_commit_sha" TEXT,
ADD COLUMN     "pending_docs_cid" TEXT,
ADD COLUMN     "pending_image_digest" TEXT,
ADD COLUMN     "pending_price" DECIMAL(20,0),
ADD COLUMN     "pending_price_at" TIMESTAMPTZ(3),
ADD COLUMN     "pending_version" TEXT,
ADD COLUMN     "pending_version_at" TIMESTAMPTZ(3),
ADD COLUMN     "rating_weight" DECIMAL(40,0) NOT NULL DEFAULT 0,
ADD COLUMN     "suspended" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "suspension_cid" TEXT,
ADD COLUMN     "weighted_rating_sum" DECIMAL(40,0) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "usage_events" DROP COLUMN "receipt_hash",
ADD COLUMN     "meter_authority" TEXT NOT NULL,
ADD COLUMN     "receipt_count" INTEGER NOT NULL,
ADD COLUMN     "receipts_root" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "meter_authorities" (
    "address" TEXT NOT NULL,
    "authority" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "meter_authorities_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "currencies" (
    "mint" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "token_program" TEXT NOT NULL,
    "decimals" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_at" TIMESTAMPTZ(3),
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "currencies_pkey" PRIMARY KEY ("mint")
);

-- CreateIndex
CREATE UNIQUE INDEX "meter_authorities_authority_key" ON "meter_authorities"("authority");

-- CreateIndex
CREATE UNIQUE INDEX "currencies_address_key" ON "currencies"("address");

-- CreateIndex
CREATE INDEX "usage_events_receipts_root_idx" ON "usage_events"("receipts_root");

