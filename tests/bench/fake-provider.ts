// bench:gateway's LLM: an OpenAI-compatible chat-completions endpoint that thinks for a fixed time
// and then answers, whole or streamed (one event per write, the usage chunk when asked for).
// Usage: fake-provider.ts <port> <thinkMs>
import { createServer } from "node:http";

const [port, thinkMs] = process.argv.slice(2).map(Number);
const WORDS = "Your parcel left our warehouse this morning and should arrive within two working days.".split(" ");
const usage = { prompt_tokens: 24, completion_tokens: WORDS.length, total_tokens: 24 + WORDS.length };
const base = { id: "chatcmpl-bench", created: 1_765_000_000, model: "bench-model", system_fingerprint: "fp_bench" };
const whole = JSON.stringify({
  ...base,
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: WORDS.join(" "), refusal: null }, logprobs: null, finish_reason: "stop" }],
  usage,
});
const frame = (chunk: unknown) => `data: ${JSON.stringify(chunk)}\n\n`;
const delta = (d: unknown, finish: string | null = null) => frame({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
const FRAMES = [delta({ role: "assistant", content: "" }), ...WORDS.map((w, i) => delta({ content: i === 0 ? w : ` ${w}` })), delta({}, "stop")];
const USAGE_FRAME = frame({ ...base, object: "chat.completion.chunk", choices: [], usage });

const server = createServer((req, res) => {
  let text = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (text += chunk));
  req.on("end", () => {
    const request = JSON.parse(text || "{}") as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    setTimeout(() => {
      if (request.stream !== true) {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(whole) }).end(whole);
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const frames = [...FRAMES, ...(request.stream_options?.include_usage ? [USAGE_FRAME] : []), "data: [DONE]\n\n"];
      // One event per write, each on its own turn of the event loop: the relay sees them apart.
      const next = (i: number) => {
        if (res.destroyed) return;
        if (i === frames.length - 1) return void res.end(frames[i]);
        res.write(frames[i]);
        setImmediate(next, i + 1);
      };
      next(0);
    }, thinkMs);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(port, "127.0.0.1", () => console.info(`fake provider listening on ${port}, thinking ${thinkMs} ms`));
