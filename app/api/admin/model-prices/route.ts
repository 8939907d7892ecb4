import { route } from "@/lib/http/route";
import { listPrices, setPrice } from "@/lib/pricing/service";

export const GET = route({ scope: "configs:read" }, ({ db }) => listPrices(db));
export const POST = route({ scope: "prices:manage" }, ({ db, actor, body }) => setPrice(db, actor, body));
