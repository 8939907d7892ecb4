import { getRolloutSeries } from "@/lib/analysis/report-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "configs:read" }, ({ db, params }) => getRolloutSeries(db, params.id));
