-- CreateIndex
CREATE INDEX "receipts_license_created_at_idx" ON "receipts"("license", "created_at");
