import { route } from "@/lib/http/route";
import { getVersion } from "@/lib/release/version-service";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => getVersion(db, params.key, params.id));
