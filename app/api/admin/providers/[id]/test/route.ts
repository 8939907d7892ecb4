import { route } from "@/lib/http/route";
import { testProvider } from "@/lib/providers/connection-service";

export const POST = route({ scope: "providers:manage" }, ({ db, params }) => testProvider(db, params.id));
