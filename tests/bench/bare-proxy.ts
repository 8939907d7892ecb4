// bench:gateway's baseline: a bare node:http proxy doing the same forwarding as the gateway — each
// request's body to the provider over kept-alive connections, the answer piped back as it comes —
// and nothing else. Usage: bare-proxy.ts <port> <provider port>
import { Agent, createServer, request } from "node:http";

const [port, providerPort] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true });

const server = createServer((req, res) => {
  const upstream = request(
    { host: "127.0.0.1", port: providerPort, path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => res.writeHead(502).end());
  res.on("close", () => res.writableFinished || upstream.destroy()); // the client left: stop the call, as the gateway does
  req.pipe(upstream);
});
server.listen(port, "127.0.0.1", () => console.info(`bare proxy listening on ${port}`));
