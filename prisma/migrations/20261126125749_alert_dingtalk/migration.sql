-- AlterEnum
ALTER TYPE "AlertChannelKind" ADD VALUE 'dingtalk';

-- AlterTable
ALTER TABLE "alert_deliveries" ADD COLUMN     "last_status" INTEGER;
