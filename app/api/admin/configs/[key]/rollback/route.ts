import { route } from "@/lib/http/route";
import { rollbackConfig } from "@/lib/release/rollout-service";

export const POST = route({ scope: "rollouts:operate" }, ({ db, actor, params, body }) => rollbackConfig(db, actor, params.key, body));
