import { evaluationLog } from "@/lib/evaluators/log-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, params, query }) => evaluationLog(db, params.id, Object.fromEntries(query)));
