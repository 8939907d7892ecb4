import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

// A real local HTTP receiver for alert webhooks: it keeps every request it gets and answers each
// with the next status of `answers` (then 200). On 127.0.0.1, which vitest.config.ts lets the
// outbound policy reach.

export interface ReceivedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>, to which channels add their own path. */
  url: string;
  received: ReceivedRequest[];
  /** Statuses to answer with, in order; once used up, 200. */
  answers: number[];
  close(): void;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      receiver.received.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body });
      res.writeHead(receiver.answers.shift() ?? 200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: [],
    answers: [],
    close: () => void server.close(),
  };
  return receiver;
}
