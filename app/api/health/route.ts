import { getDatabase } from "@/lib/db/client";
import { checkDatabase } from "@/lib/db/health";
import { publicRoute } from "@/lib/http/route";
import { serverStatus } from "@/lib/server/status";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

// Public on purpose (load balancers probe it): it says what kind of database and which
// migrations, never where the database is or any credentials.
export const GET = publicRoute(async () => {
  const [database, { snapshot, recorder }] = await Promise.all([getDatabase().then(checkDatabase), serverStatus()]);
  const healthy = database.reachable && database.migrations.pending.length === 0 && database.migrations.failed.length === 0;
  return {
    status: healthy ? 200 : 503,
    body: { status: healthy ? "ok" : "degraded", version: APP_VERSION, database, clientApi: { snapshot }, gateway: { recorder } },
  };
});
