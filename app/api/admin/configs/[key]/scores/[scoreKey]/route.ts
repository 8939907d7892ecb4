import { route } from "@/lib/http/route";
import { deleteScore, updateScore } from "@/lib/release/score-service";

export const PATCH = route({ scope: "configs:write" }, ({ db, actor, params, body }) => updateScore(db, actor, params.key, params.scoreKey, body));

export const DELETE = route({ scope: "configs:write" }, ({ db, actor, params }) => deleteScore(db, actor, params.key, params.scoreKey));
