-- The indexer's tables (see prisma/schema.prisma, "indexer"). Hand-written additions at the end:
-- the full-text index on skills.search, and partial indexes that keep promotion to "finalized" cheap.

-- CreateTable
CREATE TABLE "marketplaces" (
    "address" TEXT NOT NULL,
    "admin" TEXT NOT NULL,
    "treasury" TEXT NOT NULL,
    "fee_bps" INTEGER NOT NULL,
    "meter_authority" TEXT NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "marketplaces_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "agents" (
    "address" TEXT NOT NULL,
    "wallet" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "metadata_uri" TEXT NOT NULL,
    "skills_published" INTEGER NOT NULL DEFAULT 0,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "agents_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "skills" (
    "address" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "pricing" TEXT NOT NULL,
    "interval_secs" BIGINT,
    "units_per_purchase" DECIMAL(20,0),
    "price" DECIMAL(20,0) NOT NULL,
    "currency" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "docs_cid" TEXT NOT NULL,
    "commit_sha" TEXT NOT NULL,
    "image_digest" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sales" DECIMAL(20,0) NOT NULL DEFAULT 0,
    "revenue" DECIMAL(20,0) NOT NULL DEFAULT 0,
    "usage_units" DECIMAL(20,0) NOT NULL DEFAULT 0,
    "rating_sum" DECIMAL(20,0) NOT NULL DEFAULT 0,
    "rating_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,
    "search" tsvector GENERATED ALWAYS AS (to_tsvector('simple', replace("slug", '-', ' ') || ' ' || replace("category", '-', ' '))) STORED,

    CONSTRAINT "skills_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "skill_versions" (
    "signature" TEXT NOT NULL,
    "instruction_index" INTEGER NOT NULL,
    "event_index" INTEGER NOT NULL,
    "skill" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "previous_version" TEXT,
    "category" TEXT NOT NULL,
    "price" DECIMAL(20,0) NOT NULL,
    "docs_cid" TEXT NOT NULL,
    "commit_sha" TEXT NOT NULL,
    "image_digest" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "skill_versions_pkey" PRIMARY KEY ("signature","instruction_index","event_index")
);

-- CreateTable
CREATE TABLE "licenses" (
    "address" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "buyer" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "expires_at" BIGINT NOT NULL,
    "usage_limit" DECIMAL(20,0) NOT NULL,
    "usage_used" DECIMAL(20,0) NOT NULL,
    "purchases" INTEGER NOT NULL,
    "purchased_at" TIMESTAMPTZ(3) NOT NULL,
    "closed" BOOLEAN NOT NULL DEFAULT false,
    "closed_at" TIMESTAMPTZ(3),
    "refunded_lamports" DECIMAL(20,0),
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "licenses_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "purchases" (
    "signature" TEXT NOT NULL,
    "instruction_index" INTEGER NOT NULL,
    "event_index" INTEGER NOT NULL,
    "license" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "buyer" TEXT NOT NULL,
    "seller" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "price" DECIMAL(20,0) NOT NULL,
    "seller_amount" DECIMAL(20,0) NOT NULL,
    "fee_amount" DECIMAL(20,0) NOT NULL,
    "renewal" BOOLEAN NOT NULL,
    "expires_at" BIGINT NOT NULL,
    "usage_limit" DECIMAL(20,0) NOT NULL,
    "reference" TEXT,
    "purchased_at" TIMESTAMPTZ(3) NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "purchases_pkey" PRIMARY KEY ("signature","instruction_index","event_index")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "signature" TEXT NOT NULL,
    "instruction_index" INTEGER NOT NULL,
    "event_index" INTEGER NOT NULL,
    "license" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "buyer" TEXT NOT NULL,
    "units" DECIMAL(20,0) NOT NULL,
    "usage_used" DECIMAL(20,0) NOT NULL,
    "usage_limit" DECIMAL(20,0) NOT NULL,
    "receipt_hash" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("signature","instruction_index","event_index")
);

-- CreateTable
CREATE TABLE "reviews" (
    "address" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "reviewer" TEXT NOT NULL,
    "rating" INTEGER NOT NULL,
    "text_cid" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "skill_daily_stats" (
    "skill" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "currency" TEXT NOT NULL,
    "sales" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL(39,0) NOT NULL DEFAULT 0,
    "usage_units" DECIMAL(39,0) NOT NULL DEFAULT 0,

    CONSTRAINT "skill_daily_stats_pkey" PRIMARY KEY ("skill","day","currency")
);

-- CreateTable
CREATE TABLE "seller_reputation" (
    "seller" TEXT NOT NULL,
    "weighted_rating" DECIMAL(12,6) NOT NULL,
    "sales" DECIMAL(20,0) NOT NULL,
    "active_share" DECIMAL(12,6) NOT NULL,
    "repeat_buyer_share" DECIMAL(12,6) NOT NULL,
    "quality_multiplier" DECIMAL(12,6) NOT NULL,
    "reputation" DECIMAL(20,6) NOT NULL,
    "slot" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seller_reputation_pkey" PRIMARY KEY ("seller")
);

-- CreateTable
CREATE TABLE "indexed_events" (
    "signature" TEXT NOT NULL,
    "instruction_index" INTEGER NOT NULL,
    "event_index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "slot" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,

    CONSTRAINT "indexed_events_pkey" PRIMARY KEY ("signature","instruction_index","event_index")
);

-- CreateTable
CREATE TABLE "indexer_cursor" (
    "program_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "slot" BIGINT NOT NULL,
    "finalized_slot" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "indexer_cursor_pkey" PRIMARY KEY ("program_id")
);

-- CreateTable
CREATE TABLE "dead_letters" (
    "signature" TEXT NOT NULL,
    "instruction_index" INTEGER NOT NULL,
    "event_index" INTEGER NOT NULL,
    "slot" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "logs" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("signature","instruction_index","event_index")
);

-- CreateIndex
CREATE UNIQUE INDEX "agents_wallet_key" ON "agents"("wallet");

-- CreateIndex
CREATE INDEX "skills_category_idx" ON "skills"("category");

-- CreateIndex
CREATE UNIQUE INDEX "skills_author_slug_key" ON "skills"("author", "slug");

-- CreateIndex
CREATE INDEX "skill_versions_skill_slot_idx" ON "skill_versions"("skill", "slot");

-- CreateIndex
CREATE INDEX "licenses_buyer_idx" ON "licenses"("buyer");

-- CreateIndex
CREATE INDEX "licenses_skill_idx" ON "licenses"("skill");

-- CreateIndex
CREATE INDEX "purchases_skill_purchased_at_idx" ON "purchases"("skill", "purchased_at");

-- CreateIndex
CREATE INDEX "purchases_buyer_idx" ON "purchases"("buyer");

-- CreateIndex
CREATE INDEX "purchases_reference_idx" ON "purchases"("reference");

-- CreateIndex
CREATE INDEX "usage_events_license_idx" ON "usage_events"("license");

-- CreateIndex
CREATE INDEX "usage_events_receipt_hash_idx" ON "usage_events"("receipt_hash");

-- CreateIndex
CREATE UNIQUE INDEX "reviews_skill_reviewer_key" ON "reviews"("skill", "reviewer");

-- CreateIndex
CREATE INDEX "seller_reputation_reputation_idx" ON "seller_reputation"("reputation" DESC);

-- CreateIndex
CREATE INDEX "indexed_events_slot_idx" ON "indexed_events"("slot");


-- Full-text search over skills (generated column above).
CREATE INDEX "skills_search_idx" ON "skills" USING GIN ("search");

-- Rows still waiting for finality, by slot: what the promotion to "finalized" scans.
CREATE INDEX "indexed_events_confirmed_idx" ON "indexed_events"("slot") WHERE "commitment" = 'confirmed';
CREATE INDEX "purchases_confirmed_idx" ON "purchases"("slot") WHERE "commitment" = 'confirmed';
CREATE INDEX "usage_events_confirmed_idx" ON "usage_events"("slot") WHERE "commitment" = 'confirmed';
CREATE INDEX "licenses_confirmed_idx" ON "licenses"("slot") WHERE "commitment" = 'confirmed';
