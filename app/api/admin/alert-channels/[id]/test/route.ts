import { sendTestAlert } from "@/lib/alerts/channel-service";
import { route } from "@/lib/http/route";

export const POST = route({ scope: "alerts:manage" }, ({ db, actor, params }) => sendTestAlert(db, actor, params.id));
