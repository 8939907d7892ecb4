import { listAlertDeliveries } from "@/lib/alerts/channel-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "alerts:manage" }, ({ db, params }) => listAlertDeliveries(db, params.id));
