// The baseline of the benchmarks: a bare node:http server that reads the request and answers a
// fixed JSON body of the given size with the same headers as the client API.
import { createServer } from "node:http";

const [port, size, status] = process.argv.slice(2).map(Number);
const body = JSON.stringify({ pad: "x".repeat(Math.max(0, size - 10)) });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(status || 200, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-request-id": "req_00000000-0000-4000-8000-000000000000",
    });
    res.end(body);
  });
});
server.listen(port, "127.0.0.1", () => console.info(`bare server listening on ${port}`));
