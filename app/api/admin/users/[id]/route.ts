import { updateUser } from "@/lib/auth/user-service";
import { route } from "@/lib/http/route";

export const PATCH = route({ scope: "users:manage" }, ({ db, actor, params, body }) => updateUser(db, actor, params.id, body));
