import { createApiKey, listApiKeys } from "@/lib/auth/api-key-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "api-keys:manage" }, async ({ db }) => ({ apiKeys: await listApiKeys(db) }));

// The key is in the response once and never again.
export const POST = route({ scope: "api-keys:manage", status: 201 }, ({ db, actor, body }) => createApiKey(db, actor, body));
