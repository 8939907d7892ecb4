import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
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
  // As the dev server's main thread does (lib/server/app-server.ts): the client address set first.
  front.on("upgrade", (req, socket, head) => {
    req.headers["x-llm-canary-client-ip"] = "198.51.100.7";
    proxy.upgrade(req, socket, head);
  });
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

  it("drops the headers a Connection header names, both ways", async () => {
    answer = (_req, res) => res.writeHead(200, { connection: "x-answer-hop", "x-answer-hop": "1", "x-kept": "1" }).end("ok");
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${frontUrl()}/x`, { headers: { connection: "keep-alive, x-client-hop", "x-client-hop": "secret-of-this-hop", "x-other": "1" } }, resolve);
      req.on("error", reject);
      req.end();
    });
    res.resume();
    expect(res.headers["x-answer-hop"]).toBeUndefined();
    expect(res.headers["x-kept"]).toBe("1");
    expect(seen[0].headers["x-client-hop"]).toBeUndefined();
    expect(seen[0].headers["x-other"]).toBe("1");
  });

  it("an upgrade reaches the console with the address the server set, not one the client sent", async () => {
    const heads: string[] = [];
    consoleServer!.on("upgrade", (req: IncomingMessage, socket: import("node:stream").Duplex) => {
      heads.push(String(req.headers["x-llm-canary-client-ip"]));
      socket.end("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    });
    const { port } = front.address() as AddressInfo;
    const answerHead = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write("GET /_next/hmr HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-LLM-Canary-Client-IP: 203.0.113.66\r\n\r\n"),
      );
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answerHead).toContain("101 Switching Protocols");
    expect(heads).toEqual(["198.51.100.7"]);
  });

  it("sends a GET again on a new connection when the kept-alive one it went out on is gone; a POST gets 503", async () => {
    const used = new Set<unknown>();
    let dropReused = false;
    consoleServer!.removeAllListeners("request");
    consoleServer!.on("request", (req: IncomingMessage, res: import("node:http").ServerResponse) => {
      const reused = used.has(req.socket);
      used.add(req.socket);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: "" });
      req.resume();
      // A connection that died while idle in the pool: the request on it gets no answer at all.
      if (reused && dropReused) return void req.socket.destroy();
      res.writeHead(200, { "content-type": "text/plain" }).end("served");
    });
    expect(await (await fetch(`${frontUrl()}/first`)).text()).toBe("served");
    dropReused = true;
    const again = await fetch(`${frontUrl()}/page.js`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe("served");
    expect(seen.map((s) => s.url)).toEqual(["/first", "/page.js", "/page.js"]);
    // The fresh connection is kept alive in turn; a POST on it, now reused, is not sent twice.
    const post = await fetch(`${frontUrl()}/api/admin/configs`, { method: "POST", body: "{}" });
    expect(post.status).toBe(503);
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(1);
  });

  it("breaks the client's answer off when the console's breaks off, instead of leaving it waiting", async () => {
    answer = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
      res.write("only part of it");
      setTimeout(() => res.destroy(), 50);
    };
    const outcome = await new Promise<string>((resolve) => {
      const req = request(`${frontUrl()}/page`, (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve(res.complete ? "complete" : "cut short"));
        res.on("error", () => resolve("cut short"));
        res.on("aborted", () => resolve("cut short"));
      });
      req.on("error", () => resolve("cut short"));
      req.end();
      setTimeout(() => resolve("still waiting after 5 s"), 5_000).unref();
    });
    expect(outcome).toBe("cut short");
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
