import { route } from "@/lib/http/route";
import { createScore, listScores } from "@/lib/release/score-service";

export const GET = route({ scope: "configs:read" }, async ({ db, params }) => ({ scores: await listScores(db, params.key) }));

export const POST = route({ scope: "configs:write", status: 201 }, ({ db, actor, params, body }) => createScore(db, actor, params.key, body));
