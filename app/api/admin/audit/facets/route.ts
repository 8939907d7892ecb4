import { listAuditFacets } from "@/lib/audit/service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db }) => listAuditFacets(db));
