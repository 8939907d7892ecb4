import { route } from "@/lib/http/route";
import { getConfig } from "@/lib/release/config-service";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => getConfig(db, params.key));
