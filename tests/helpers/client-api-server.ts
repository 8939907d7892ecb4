import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "../../lib/db/client";
import { startGateway, type Gateway, type GatewayOptions } from "../../lib/gateway/gateway";
import { startClientApi, type ClientApi } from "../../lib/hot/client-api";

// The client API and the gateway on a real node:http server on a free port, as the custom server
// mounts them (minus Next): tests talk to it with fetch, over real sockets.

export interface ClientApiServer {
  api: ClientApi;
  gateway: Gateway;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startClientApiServer(
  db: Database,
  pollMs = 60_000,
  gatewayOptions: Omit<GatewayOptions, "store" | "usage"> = {},
): Promise<ClientApiServer> {
  const api = await startClientApi(db, { pollMs, log: () => undefined });
  const gateway = startGateway(db, { store: api.store, usage: api.usage, log: () => undefined, ...gatewayOptions });
  const server: Server = createServer((req, res) => {
    if (!api.handle(req, res) && !gateway.handle(req, res)) {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api,
    gateway,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.stop();
      await api.stop();
    },
  };
}

/** fetch with a JSON body (or raw text) and the answer parsed. */
export async function send(baseUrl: string, path: string, init: { method?: string; auth?: string; body?: unknown; raw?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.auth) headers.authorization = init.auth;
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers["content-type"] = init.contentType ?? "application/json";
  const response = await fetch(`${baseUrl}${path}`, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Polls until `check` holds; returns the milliseconds it took. Fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}
