import { route } from "@/lib/http/route";
import { deleteProvider, getProvider, updateProvider } from "@/lib/providers/connection-service";

export const GET = route({ scope: "providers:manage" }, ({ db, params }) => getProvider(db, params.id));
export const PATCH = route({ scope: "providers:manage" }, ({ db, actor, params, body }) => updateProvider(db, actor, params.id, body));
export const DELETE = route({ scope: "providers:manage" }, ({ db, actor, params }) => deleteProvider(db, actor, params.id));
