import { route } from "@/lib/http/route";
import { createVersion, listVersions } from "@/lib/release/version-service";

export const GET = route({ scope: "configs:read" }, async ({ db, params }) => ({ versions: await listVersions(db, params.key) }));

export const POST = route({ scope: "configs:write", status: 201 }, ({ db, actor, params, body }) =>
  createVersion(db, actor, params.key, body),
);
