import { route } from "@/lib/http/route";
import { previewRoute } from "@/lib/release/route-preview";

export const GET = route({ scope: "configs:read" }, ({ db, params, query }) => previewRoute(db, params.key, Object.fromEntries(query)));
