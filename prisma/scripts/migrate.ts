// npm run db:migrate: applies pending migrations to the app's database (DATABASE_URL, or the
// embedded database under LLM_CANARY_DATA_DIR). The app also does this at start.
import { appDatabaseTarget, openDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";

async function main(): Promise<void> {
  const db = await openDatabase(appDatabaseTarget());
  try {
    const applied = await applyMigrations(db);
    console.log(
      applied.length === 0
        ? `Database ${db.location} (${db.kind}) is up to date.`
        : `Applied ${applied.length} migration(s) to ${db.location} (${db.kind}): ${applied.join(", ")}`,
    );
  } finally {
    await db.close();
  }
}

// The WASM engine keeps a 10 s timer alive; exit explicitly.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
