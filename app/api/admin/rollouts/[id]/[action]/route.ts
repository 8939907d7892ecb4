import { actOnRollout } from "@/lib/analysis/rollout-actions";
import { NotFoundError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { ROLLOUT_ACTIONS, type RolloutAction } from "@/lib/release/transitions";

// POST /api/admin/rollouts/{id}/{pause|resume|advance|promote|rollback|abort|revert}
export const POST = route({ scope: "rollouts:operate" }, ({ db, actor, params, body }) => {
  const action = params.action as RolloutAction;
  if (!ROLLOUT_ACTIONS.includes(action)) {
    throw new NotFoundError(`Unknown rollout action \`${params.action}\`; use one of ${ROLLOUT_ACTIONS.join(", ")}.`);
  }
  return actOnRollout(db, actor, params.id, action, body);
});
