import { existsSync } from "node:fs";
import path from "node:path";
import type { Endpoint } from "../../lib/openapi/endpoints";

// The app route handler behind an endpoint of lib/openapi/endpoints.ts, for tests generated from
// that list: a new endpoint is covered without an import being added by hand.

export type RouteHandler<Params = Record<string, string>> = (request: Request, context: { params: Promise<Params> }) => Promise<Response>;

/** The route file's handler for the endpoint's method: `{key}` is the folder `[key]`, or the catch-all `[...key]` (`{nextauth}`). */
export async function handlerFor<Params = Record<string, string>>(endpoint: Endpoint): Promise<RouteHandler<Params>> {
  const file = (folder: string) => path.join(process.cwd(), "app", endpoint.path.replace(/\{(\w+)\}/g, folder), "route.ts");
  const found = existsSync(file("[$1]")) ? file("[$1]") : file("[...$1]");
  const handler = ((await import(found)) as Record<string, RouteHandler<Params> | undefined>)[endpoint.method.toUpperCase()];
  if (!handler) throw new Error(`${found} exports no ${endpoint.method.toUpperCase()}`);
  return handler;
}
