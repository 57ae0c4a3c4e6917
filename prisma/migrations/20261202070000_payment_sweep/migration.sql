-- The sweep of unused and long-expired payment requests reads by age.
CREATE INDEX "payment_requests_created_at_idx" ON "payment_requests"("created_at");
