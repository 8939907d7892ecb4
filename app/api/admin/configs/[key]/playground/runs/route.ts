import { route } from "@/lib/http/route";
import { listPlaygroundRuns } from "@/lib/playground/run-service";

export const GET = route({ scope: "playground:run" }, ({ db, params, query }) => listPlaygroundRuns(db, params.key, Object.fromEntries(query)));
