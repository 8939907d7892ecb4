import { deleteEvaluator, updateEvaluator } from "@/lib/evaluators/service";
import { route } from "@/lib/http/route";

export const PATCH = route({ scope: "configs:write" }, ({ db, actor, params, body }) => updateEvaluator(db, actor, params.key, params.id, body));

export const DELETE = route({ scope: "configs:write" }, ({ db, actor, params }) => deleteEvaluator(db, actor, params.key, params.id));
