import { createAlertChannel, listAlertChannels } from "@/lib/alerts/channel-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "alerts:manage" }, ({ db }) => listAlertChannels(db));
export const POST = route({ scope: "alerts:manage", status: 201 }, ({ db, actor, body }) => createAlertChannel(db, actor, body));
