import { publicRoute } from "@/lib/http/route";
import { openApiDocument } from "@/lib/openapi/document";

export const GET = publicRoute(async () => ({ status: 200, body: openApiDocument }));
