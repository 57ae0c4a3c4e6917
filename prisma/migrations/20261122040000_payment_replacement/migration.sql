-- An expired or failed payment link points at the one link that replaces it.
ALTER TABLE "payment_requests" ADD COLUMN "replaced_by" TEXT;
