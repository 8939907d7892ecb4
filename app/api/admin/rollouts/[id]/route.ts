import { route } from "@/lib/http/route";
import { getRollout } from "@/lib/release/rollout-service";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => getRollout(db, params.id));
