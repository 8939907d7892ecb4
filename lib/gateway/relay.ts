import type { ServerResponse } from "node:http";
import { AppError } from "../errors";
import { headerList, send } from "../hot/http";
import type { CancelSignal } from "../outbound/cancel";
import { OutboundError } from "../outbound/request";
import type { OutboundStream } from "../outbound/stream";
import { providerWords, readTextThen, type Connection } from "../providers/provider-call";
import { SseDecoder } from "../providers/sse";
import { COMMON_SECURITY_HEADERS } from "../security-headers";
import type { CallRecord } from "./call-record";

// The provider's answer passed to the client as it came. A whole answer: its bytes, after a check
// that it is a chat completion. A stream: each network chunk's events written as soon as they are
// decoded — no buffering beyond one event — except the usage chunk the gateway asked for itself,
// which is dropped unless the client asked for it too. Once the answer has started nothing can be
// retried or re-statused: a failure then ends the stream with an OpenAI error event.

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  // Reverse proxies (nginx) would otherwise hold the events back.
  "x-accel-buffering": "no",
  ...COMMON_SECURITY_HEADERS,
};

function invalid(provider: string, what: string): AppError {
  return new AppError(502, "upstream_error", `The provider connection "${provider}" answered with something other than ${what}.`);
}

/** A whole answer: checked, recorded and sent as the provider's bytes; then `done`, with the failure if any. */
export function relayWhole(
  res: ServerResponse,
  answer: OutboundStream,
  record: CallRecord,
  provider: string,
  headers: Record<string, string>,
  done: (error?: unknown) => void,
): void {
  readTextThen(answer, MAX_ANSWER_BYTES, (error, text) => {
    if (error !== undefined) return done(error);
    let completion: { choices?: unknown; usage?: unknown };
    try {
      completion = JSON.parse(text!) as typeof completion;
    } catch {
      return done(invalid(provider, "a chat completion (JSON)"));
    }
    if (typeof completion !== "object" || completion === null || !Array.isArray(completion.choices)) return done(invalid(provider, "a chat completion (`choices`)"));
    try {
      record.usage(completion.usage);
      record.answer((completion.choices[0] as { message?: unknown } | undefined)?.message);
      send(res, record.requestId, { status: 200, json: text!, headers });
    } catch (failure) {
      // Called from the provider's socket events: nothing may escape to the event loop.
      return done(failure);
    }
    done();
  });
}

/** What the relay reads of a streamed chunk. */
type Chunk = { choices?: { delta?: unknown }[]; usage?: unknown; error?: unknown };

/** The OpenAI error event that ends a stream which cannot go on. */
function errorEvent(message: string, code: string): string {
  return `data: ${JSON.stringify({ error: { message, type: "api_error", code, param: null } })}\n\n`;
}

/**
 * A stream, event by event, handed on from the network chunk's callback (no promise per chunk).
 * Resolves when the answer has ended (whole or not) and been written; rejects only when `signal`
 * aborts (the client went away). A slow client pauses the provider's stream rather than buffering it.
 */
export function relayStream(
  res: ServerResponse,
  answer: OutboundStream,
  record: CallRecord,
  connection: Connection,
  provider: string,
  headers: Record<string, string>,
  signal: CancelSignal,
): Promise<void> {
  res.writeHead(200, headerList(SSE_HEADERS, { "x-request-id": record.requestId }, headers));
  res.flushHeaders();
  const decoder = new SseDecoder(MAX_ANSWER_BYTES);
  const includeUsage = record.call.includeUsage;
  let done = false;
  let failure: string | null = null;
  const stopWith = (errorType: string, message: string, code = "upstream_error") => {
    record.fail(errorType);
    failure = errorEvent(`The provider connection "${provider}" ${message}`, code);
  };

  /** The event as written to the client; "" drops it. */
  const relay = (data: string): string => {
    if (data === "[DONE]") {
      done = true;
      return "data: [DONE]\n\n";
    }
    // Most chunks need no reading: once the first token has come, only a chunk that may carry
    // usage or an error is parsed (inside a JSON string a quote is escaped, so `"usage"` and
    // `"error"` appear raw only as keys), unless the call keeps its output as a sample.
    if (record.ttftMs !== null && !record.keepsOutput && !data.includes('"usage"') && !data.includes('"error"')) return `data: ${data}\n\n`;
    let chunk: Chunk | null = null;
    try {
      chunk = JSON.parse(data) as Chunk | null;
    } catch {
      // Passed on as it came: the stream is the provider's; the outcome says it was malformed.
      record.fail("invalid_response");
    }
    if (chunk && typeof chunk === "object") {
      if (chunk.error) {
        const words = providerWords(data, connection);
        stopWith("stream_error", `sent an error in the middle of the stream${words ? `: ${words}` : "."}`);
        return "";
      }
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      if (choices.length) record.delta(choices[0]?.delta);
      if (chunk.usage) {
        record.usage(chunk.usage);
        if (!includeUsage && choices.length === 0) return "";
      }
    }
    return `data: ${data}\n\n`;
  };

  const relayAll = (events: string[]): string => {
    let out = "";
    for (const data of events) {
      out += relay(data);
      if (done || failure) break;
    }
    return out;
  };

  const finish = (last?: string) => {
    res.end(last);
    record.end();
  };

  return new Promise((resolve, reject) => {
    // The handlers run from the provider's socket events: whatever they throw is caught here and
    // ends the call (as a failure of the gateway's), never escaping to the event loop.
    let crash: unknown = undefined;
    const guard = <A extends unknown[], R>(handler: (...args: A) => R) => (...args: A): R | undefined => {
      try {
        return handler(...args);
      } catch (error) {
        crash ??= error;
        answer.close();
        return undefined;
      }
    };
    const reader = answer.consume({
      data: guard((bytes: Buffer) => {
        // After [DONE] the rest is read to its end, so the kept-alive connection can serve another call.
        if (done || failure) return;
        let out: string;
        try {
          out = relayAll(decoder.push(bytes));
        } catch {
          stopWith("invalid_response", "sent a line past the size limit in the middle of the stream.");
          answer.close();
          return;
        }
        if (done) return finish(out);
        if (failure) return answer.close();
        if (out && !res.write(out)) {
          res.once("drain", () => reader.resume());
          return false;
        }
      }),
      end: guard((error?: unknown) => {
        if (done) return resolve(); // the client has its whole answer; only the connection's tail is left
        if (signal.aborted) return reject(signal.reason);
        if (crash !== undefined) return reject(crash);
        if (failure === null && error !== undefined) {
          // The body stalled or broke off (lib/outbound: timeout or connection_failed).
          const kind = error instanceof OutboundError ? error.failure : "connection_failed";
          stopWith(kind, `${kind === "timeout" ? "stalled" : "broke off"} in the middle of the stream.`, kind === "timeout" ? "timeout" : "upstream_error");
        } else if (failure === null) {
          const rest = relayAll(decoder.end());
          if (done) {
            finish(rest);
            return resolve();
          }
          if (rest) res.write(rest);
          if (failure === null) stopWith("stream_incomplete", "ended the stream without `data: [DONE]`.");
        }
        finish(failure ?? undefined);
        resolve();
      }),
    });
  });
}
