import { getAlertChannel, updateAlertChannel } from "@/lib/alerts/channel-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "alerts:manage" }, ({ db, params }) => getAlertChannel(db, params.id));
export const PATCH = route({ scope: "alerts:manage" }, ({ db, actor, params, body }) => updateAlertChannel(db, actor, params.id, body));
