import { Agent, request, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";

// The main thread's side of the console: each request that is not the client API's or the
// gateway's, passed as it came to the console thread's Unix socket (./console.ts), and its answer
// passed back as it comes (Next streams pages). Headers that describe one connection only stay
// on that connection.

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

export interface ConsoleProxy {
  forward(req: IncomingMessage, res: ServerResponse): void;
  /** A WebSocket (the dev server's hot reload), spliced through to the console as raw bytes. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/** `socketPath` is where the console listens now, or null while it is not running (then 503). */
export function createConsoleProxy(socketPath: () => string | null): ConsoleProxy {
  // Kept-alive connections to the console: no connect per page or API request.
  const agent = new Agent({ keepAlive: true });

  const unavailable = (res: ServerResponse) => {
    const body = JSON.stringify({ error: { code: "console_unavailable", message: "The console is starting or restarting; try again in a moment." } });
    res.writeHead(503, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "retry-after": "1", "content-length": String(Buffer.byteLength(body)) }).end(body);
  };

  return {
    forward(req, res) {
      const path = socketPath();
      if (path === null) {
        req.resume();
        return unavailable(res);
      }
      const headers: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
      const upstream = request({ socketPath: path, method: req.method, path: req.url, headers, agent }, (answer) => {
        const raw = answer.rawHeaders;
        const kept: string[] = [];
        for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) kept.push(raw[i], raw[i + 1]);
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, kept);
        answer.pipe(res);
      });
      upstream.on("error", () => {
        if (!res.headersSent) unavailable(res);
        else res.destroy();
      });
      // The client went away before its answer ended: stop the console's work on it too.
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    },

    upgrade(req, socket, head) {
      const path = socketPath();
      if (path === null) return void socket.destroy();
      const upstream = connect(path, () => {
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length) upstream.write(head);
        socket.pipe(upstream).pipe(socket);
      });
      const end = () => {
        socket.destroy();
        upstream.destroy();
      };
      upstream.on("error", end);
      socket.on("error", end);
      upstream.on("close", end);
      socket.on("close", end);
    },

    close() {
      agent.destroy();
    },
  };
}
