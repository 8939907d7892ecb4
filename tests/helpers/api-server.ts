import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setDatabase, type Database } from "../../lib/db/client";
import { startClientApi } from "../../lib/hot/client-api";
import { ENDPOINTS, type Endpoint } from "../../lib/openapi/endpoints";
import { handlerFor } from "./route-handler";

// The whole HTTP API on one real server on a free port: the client API as the custom server
// mounts it, and every endpoint of lib/openapi/endpoints.ts through its own route handler (what
// Next would call), minus the console's pages. For clients that talk to a whole server over HTTP,
// like the demo's `--url`.

export interface ApiServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** The endpoint serving `method path` and its path parameters; literal segments beat parameters. */
function matchEndpoint(method: string, path: string): { endpoint: Endpoint; params: Record<string, string> } | null {
  const segments = path.split("/");
  const candidates = ENDPOINTS.filter((e) => e.method === method.toLowerCase() && e.path.split("/").length === segments.length);
  const params = (e: Endpoint) => e.path.split("/").filter((s) => s.startsWith("{")).length;
  for (const endpoint of candidates.sort((a, b) => params(a) - params(b))) {
    const found: Record<string, string> = {};
    const ok = endpoint.path.split("/").every((part, i) => {
      if (!part.startsWith("{")) return part === segments[i];
      found[part.slice(1, -1)] = decodeURIComponent(segments[i]);
      return segments[i] !== "";
    });
    if (ok) return { endpoint, params: found };
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startApiServer(db: Database): Promise<ApiServer> {
  setDatabase(db);
  const client = await startClientApi(db, { pollMs: 60_000, log: () => undefined });
  let baseUrl = "";
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (client.handle(req, res)) return;
    const url = new URL(req.url ?? "/", baseUrl);
    const matched = matchEndpoint(req.method ?? "GET", url.pathname);
    if (!matched) return void res.writeHead(404).end();
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readBody(req));
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const handler = await handlerFor(matched.endpoint);
    const response = await handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve(matched.params) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await client.stop();
    },
  };
}
