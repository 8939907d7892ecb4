import { listAuditEvents } from "@/lib/audit/service";
import { auditVisibilityFor } from "@/lib/auth/scopes";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, actor, query }) =>
  listAuditEvents(db, auditVisibilityFor(actor.scopes), Object.fromEntries(query)),
);
