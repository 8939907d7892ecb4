import { listSamples } from "@/lib/analysis/samples-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, params, query }) => listSamples(db, params.id, Object.fromEntries(query)));
