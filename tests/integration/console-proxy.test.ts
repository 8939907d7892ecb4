import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConsoleProxy, type ConsoleProxy } from "@/lib/server/console-proxy";

// The main thread's forwarding to the console's thread (lib/server/console-proxy.ts), against a
// real HTTP server on a Unix socket standing in for Next, and a real front server in front of it.

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let dir: string;
let socketPath: string;
let consoleServer: Server | null;
let front: Server;
let proxy: ConsoleProxy;
let seen: Seen[];
let up: boolean;
/** The console's answer to the next request; by default a page with two cookies. */
let answer: (req: IncomingMessage, res: import("node:http").ServerResponse) => void;

async function startConsoleServer(): Promise<void> {
  consoleServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => consoleServer!.listen(socketPath, resolve));
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "console-proxy-test-"));
  socketPath = path.join(dir, "next.sock");
  seen = [];
  up = true;
  answer = (_req, res) => {
    res.setHeader("set-cookie", ["a=1; Path=/; HttpOnly", "b=2; Path=/"]);
    res.writeHead(201, { "content-type": "text/html", "x-console": "yes" }).end("<p>page</p>");
  };
  await startConsoleServer();
  proxy = createConsoleProxy(() => (up ? socketPath : null));
  front = createServer((req, res) => proxy.forward(req, res));
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
});

afterEach(async () => {
  proxy.close();
  front.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
  consoleServer?.closeAllConnections();
  if (consoleServer) await new Promise((resolve) => consoleServer!.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const frontUrl = () => `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

describe("the console proxy", () => {
  it("passes the method, path, query, headers and body on, and the answer back with its status and every cookie", async () => {
    const res = await fetch(`${frontUrl()}/api/admin/configs?limit=5`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "session=abc", "x-llm-canary-client-ip": "203.0.113.9" },
      body: JSON.stringify({ key: "support-chat" }),
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("<p>page</p>");
    expect(res.headers.get("x-console")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/; HttpOnly", "b=2; Path=/"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/admin/configs?limit=5", body: '{"key":"support-chat"}' });
    expect(seen[0].headers).toMatchObject({ "content-type": "application/json", cookie: "session=abc", "x-llm-canary-client-ip": "203.0.113.9" });
    // The host the browser asked for, so the URLs Next builds point back at the server.
    expect(seen[0].headers.host).toBe(new URL(frontUrl()).host);
  });

  it("keeps headers that describe one connection on that connection", async () => {
    answer = (_req, res) => res.writeHead(200, { connection: "close", "keep-alive": "timeout=99" }).end("ok");
    const status = await new Promise<{ status: number; headers: IncomingMessage["headers"] }>((resolve, reject) => {
      const req = request(`${frontUrl()}/x`, { headers: { connection: "keep-alive", "keep-alive": "timeout=5", te: "trailers", "proxy-connection": "keep-alive" } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(status.status).toBe(200);
    expect(status.headers["keep-alive"]).not.toBe("timeout=99");
    expect(seen[0].headers.te).toBeUndefined();
    expect(seen[0].headers["proxy-connection"]).toBeUndefined();
    expect(seen[0].headers["keep-alive"]).toBeUndefined();
  });

  it("answers 503 console_unavailable while the console is not running, and when its socket is gone", async () => {
    up = false;
    const starting = await fetch(`${frontUrl()}/login`);
    expect(starting.status).toBe(503);
    expect(starting.headers.get("retry-after")).toBe("1");
    expect(((await starting.json()) as { error: { code: string } }).error.code).toBe("console_unavailable");

    up = true;
    consoleServer!.closeAllConnections();
    await new Promise((resolve) => consoleServer!.close(resolve));
    consoleServer = null;
    const gone = await fetch(`${frontUrl()}/login`);
    expect(gone.status).toBe(503);
    expect(seen).toHaveLength(0);
  });

  it("streams the console's answer as it comes, and stops the console's work when the client goes away", async () => {
    let closedAtConsole = false;
    answer = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part;");
      res.on("close", () => (closedAtConsole = true));
      // The rest never comes: the client hangs up after the first part.
    };
    const first = await new Promise<string>((resolve, reject) => {
      const req = request(`${frontUrl()}/stream`, (res) => {
        res.once("data", (chunk: Buffer) => {
          resolve(chunk.toString());
          req.destroy();
        });
      });
      req.on("error", () => undefined);
      req.on("close", () => undefined);
      req.end();
      setTimeout(() => reject(new Error("no first part within 5 s")), 5_000).unref();
    });
    expect(first).toBe("first part;");
    await expect.poll(() => closedAtConsole, { timeout: 5_000 }).toBe(true);
  });
});
