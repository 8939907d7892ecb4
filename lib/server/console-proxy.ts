import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { pipeline } from "node:stream";

// The main thread's side of the console: each request that is not the client API's or the
// gateway's, passed as it came to the console thread's Unix socket (./console.ts), and its answer
// passed back as it comes (Next streams pages). Headers that describe one connection only — the
// hop-by-hop ones and any the message's own Connection header names — stay on that connection.

/** Idle connections to the console are closed after this; the console keeps them longer (CONSOLE_KEEP_ALIVE_MS). */
export const CONSOLE_IDLE_SOCKET_MS = 30_000;
/** How long the console's server keeps an idle connection from the main thread. */
export const CONSOLE_KEEP_ALIVE_MS = 50_000;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

/** The hop-by-hop headers, with those a message's Connection header names (`Connection: close, x-foo`). */
function connectionOnly(connection: string | string[] | undefined): Set<string> {
  if (!connection) return HOP_BY_HOP;
  const named = (Array.isArray(connection) ? connection.join(",") : connection).split(",").map((name) => name.trim().toLowerCase());
  return new Set([...HOP_BY_HOP, ...named.filter(Boolean)]);
}

export interface ConsoleProxy {
  forward(req: IncomingMessage, res: ServerResponse): void;
  /**
   * A WebSocket (the dev server's hot reload), spliced through to the console as raw bytes after
   * the request head, rebuilt from `req.headers`: the caller sets the client-address header there
   * first, as for forward(), so no value a client sent gets through.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/** `socketPath` is where the console listens now, or null while it is not running (then 503). */
export function createConsoleProxy(socketPath: () => string | null): ConsoleProxy {
  // Kept-alive connections to the console: no connect per page or API request. Idle ones are
  // closed from this side first (the console keeps them longer: ./console-worker.ts), so a request
  // is not sent on a connection the console is closing at that moment.
  const agent = new Agent({ keepAlive: true, timeout: CONSOLE_IDLE_SOCKET_MS });

  const unavailable = (req: IncomingMessage, res: ServerResponse) => {
    // The body is read and dropped, so a kept-alive connection can carry the answer and the next request.
    req.unpipe();
    req.resume();
    const body = JSON.stringify({ error: { code: "console_unavailable", message: "The console is starting or restarting; try again in a moment." } });
    res.writeHead(503, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "retry-after": "1", "content-length": String(Buffer.byteLength(body)) }).end(body);
  };

  /** Methods whose request carries no body the console reads, so a failed send may go again. */
  const resendable = (method: string | undefined) => method === "GET" || method === "HEAD";

  const send = (req: IncomingMessage, res: ServerResponse, headers: IncomingHttpHeaders, mayRetry: boolean): void => {
    const path = socketPath();
    if (path === null) return unavailable(req, res);
    const upstream = request({ socketPath: path, method: req.method, path: req.url, headers, agent }, (answer) => {
      const raw = answer.rawHeaders;
      const drop = connectionOnly(answer.headers.connection);
      const kept: string[] = [];
      for (let i = 0; i < raw.length; i += 2) if (!drop.has(raw[i].toLowerCase())) kept.push(raw[i], raw[i + 1]);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, kept);
      // An answer the console breaks off (its thread ended mid-page) breaks the client's off
      // too, rather than leaving it waiting for the rest.
      pipeline(answer, res, (error) => error && res.destroy());
    });
    // The client went away before its answer ended: stop the console's work on it too.
    const onClose = () => {
      if (!res.writableFinished) upstream.destroy();
    };
    res.on("close", onClose);
    upstream.on("error", () => {
      res.removeListener("close", onClose);
      // A kept-alive connection can be gone by the time a request goes out on it (measured: a page's
      // script answered 503 in an e2e run): a request without a body goes again, once, on a new one.
      if (mayRetry && upstream.reusedSocket && !res.headersSent && resendable(req.method)) return send(req, res, headers, false);
      if (!res.headersSent) unavailable(req, res);
      else res.destroy();
    });
    if (resendable(req.method)) {
      req.resume();
      upstream.end();
    } else {
      req.pipe(upstream);
    }
  };

  return {
    forward(req, res) {
      const skip = connectionOnly(req.headers.connection);
      const headers: IncomingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) if (!skip.has(name)) headers[name] = value;
      send(req, res, headers, true);
    },

    upgrade(req, socket, head) {
      const path = socketPath();
      if (path === null) return void socket.destroy();
      const upstream = connect(path, () => {
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (const [name, value] of Object.entries(req.headers)) {
          for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) lines.push(`${name}: ${one}`);
        }
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
