-- AlterTable
ALTER TABLE "receipts" ADD COLUMN     "payment" TEXT;
