import { route } from "@/lib/http/route";
import { createProvider, listProviders } from "@/lib/providers/connection-service";

export const GET = route({ scope: "providers:manage" }, ({ db }) => listProviders(db));
export const POST = route({ scope: "providers:manage", status: 201 }, ({ db, actor, body }) => createProvider(db, actor, body));
