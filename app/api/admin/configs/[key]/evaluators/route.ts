import { createEvaluator, listEvaluators } from "@/lib/evaluators/service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => listEvaluators(db, params.key));

export const POST = route({ scope: "configs:write", status: 201 }, ({ db, actor, params, body }) => createEvaluator(db, actor, params.key, body));
