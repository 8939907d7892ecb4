import { getDatabase } from "@/lib/db/client";
import { gatewayRecorderStatus } from "@/lib/gateway/registry";
import { checkDatabase } from "@/lib/db/health";
import { publicRoute } from "@/lib/http/route";
import { snapshotStatus } from "@/lib/snapshot/registry";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

// Public on purpose (load balancers probe it): it says what kind of database and which
// migrations, never where the database is or any credentials.
export const GET = publicRoute(async () => {
  const database = await checkDatabase(await getDatabase());
  const healthy = database.reachable && database.migrations.pending.length === 0 && database.migrations.failed.length === 0;
  return {
    status: healthy ? 200 : 503,
    body: { status: healthy ? "ok" : "degraded", version: APP_VERSION, database, clientApi: { snapshot: snapshotStatus() }, gateway: { recorder: gatewayRecorderStatus() } },
  };
});
