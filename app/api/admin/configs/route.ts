import { route } from "@/lib/http/route";
import { createConfig, listConfigs } from "@/lib/release/config-service";

export const GET = route({ scope: "configs:read" }, async ({ db }) => ({ configs: await listConfigs(db) }));

export const POST = route({ scope: "configs:write", status: 201 }, ({ db, actor, body }) => createConfig(db, actor, body));
