import { route } from "@/lib/http/route";
import { diffConfigVersions } from "@/lib/release/version-service";

export const GET = route({ scope: "configs:read" }, ({ db, params, query }) =>
  diffConfigVersions(db, params.key, Object.fromEntries(query)),
);
