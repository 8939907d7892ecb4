import { listAuditEvents } from "@/lib/audit/service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, query }) => listAuditEvents(db, Object.fromEntries(query)));
