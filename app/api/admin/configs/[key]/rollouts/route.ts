import { route } from "@/lib/http/route";
import { listRollouts, startRollout } from "@/lib/release/rollout-service";

export const GET = route({ scope: "configs:read" }, async ({ db, params }) => ({ rollouts: await listRollouts(db, params.key) }));

export const POST = route({ scope: "rollouts:start", status: 201 }, ({ db, actor, params, body }) =>
  startRollout(db, actor, params.key, body),
);
