import { route } from "@/lib/http/route";
import { getConfig, updateConfig } from "@/lib/release/config-service";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => getConfig(db, params.key));

export const PATCH = route({ scope: "configs:write" }, ({ db, actor, params, body }) => updateConfig(db, actor, params.key, body));
