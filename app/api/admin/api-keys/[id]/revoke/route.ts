import { revokeApiKey } from "@/lib/auth/api-key-service";
import { route } from "@/lib/http/route";

export const POST = route({ scope: "api-keys:manage" }, ({ db, actor, params }) => revokeApiKey(db, actor, params.id));
