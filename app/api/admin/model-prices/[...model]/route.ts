import { route } from "@/lib/http/route";
import { deletePrice } from "@/lib/pricing/service";

// A catch-all: model names may hold slashes (meta-llama/Llama-3.1-8B-Instruct).
export const DELETE = route({ scope: "prices:manage" }, ({ db, actor, params }) => deletePrice(db, actor, params.model));
