-- AlterTable
ALTER TABLE "payment_requests" ADD COLUMN     "purchases_before" INTEGER;
