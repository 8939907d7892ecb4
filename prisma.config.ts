import { defineConfig } from "prisma/config";

// Prisma 7 no longer reads .env itself; the URL only matters to the official CLI
// (`prisma migrate deploy` on a machine with internet). The app and the offline scripts
// connect through lib/db.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/llm_canary" },
});
