import { rollbackConfig } from "@/lib/analysis/rollout-actions";
import { route } from "@/lib/http/route";

export const POST = route({ scope: "rollouts:operate" }, ({ db, actor, params, body }) => rollbackConfig(db, actor, params.key, body));
