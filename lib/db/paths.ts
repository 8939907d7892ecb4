import path from "node:path";

// Resolved from the working directory (the project root for every entry point): bundlers
// rewrite import.meta.url-relative resolution.
export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");
export const SCHEMA_PATH = path.join(process.cwd(), "prisma", "schema.prisma");
