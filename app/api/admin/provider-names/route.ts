import { route } from "@/lib/http/route";
import { listProviderNames } from "@/lib/providers/connection-service";

export const GET = route({ scope: "configs:read" }, ({ db }) => listProviderNames(db));
