import { listRolloutReports } from "@/lib/analysis/rollout-actions";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => listRolloutReports(db, params.id));
