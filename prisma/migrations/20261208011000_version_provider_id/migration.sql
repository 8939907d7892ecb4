-- A version may name the provider connection it is called through (issue 14). Checked to exist
-- when the version is made; no foreign key, so deleting a connection leaves immutable versions
-- as they were.

-- AlterTable
ALTER TABLE "versions" ADD COLUMN "provider_id" TEXT;
