import { z } from "zod";
import { callProvider, ProviderCallError, providerWords, readText, type CallOptions, type Connection } from "./provider-call";
import { SseDecoder } from "./sse";

// The OpenAI API calls the product makes to a connection: list the models, and chat completions
// answered whole or streamed (server-sent events). Requests go as the caller built them (the
// OpenAI chat-completions body); answers are checked for the fields callers rely on and passed on
// with everything else the provider sent.

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
const MAX_MODELS = 1000;

const ModelList = z.object({ data: z.array(z.object({ id: z.string() }).passthrough()) }).passthrough();

export const Usage = z
  .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number().optional() })
  .passthrough();

const ToolCall = z
  .object({ id: z.string().optional(), type: z.string().optional(), function: z.object({ name: z.string().optional(), arguments: z.string().optional() }).passthrough().optional() })
  .passthrough();

/** An answer, whole or one streamed chunk: the same envelope around a choice of its own shape. */
const completionOf = <C extends z.ZodRawShape>(choice: C) =>
  z
    .object({
      id: z.string().optional(),
      model: z.string().optional(),
      choices: z.array(z.object({ index: z.number().optional(), ...choice, finish_reason: z.string().nullable().optional() }).passthrough()),
      usage: Usage.nullable().optional(),
    })
    .passthrough();

export const ChatCompletion = completionOf({
  message: z.object({ role: z.string(), content: z.string().nullable().optional(), tool_calls: z.array(ToolCall).optional() }).passthrough(),
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

export const ChatCompletionChunk = completionOf({
  delta: z.object({ role: z.string().optional(), content: z.string().nullable().optional(), tool_calls: z.array(ToolCall.extend({ index: z.number() })).optional() }).passthrough(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

/** A chat-completions request body: `model` and `messages`, and any other OpenAI parameter. */
export type ChatRequest = { model: string; messages: unknown[] } & Record<string, unknown>;

/** The ids GET {baseUrl}/models lists, sorted. */
export async function listModels(connection: Connection, options?: CallOptions): Promise<string[]> {
  const answer = await callProvider(connection, "/models", { method: "GET" }, options);
  const list = ModelList.safeParse(parseJson(await readText(answer, MAX_ANSWER_BYTES)));
  if (!list.success) throw invalid("GET /models", "a model list (`data`, an array of `{ id }`)");
  return list.data.data.map((model) => model.id).sort().slice(0, MAX_MODELS);
}

/** POST {baseUrl}/chat/completions, answered whole (`stream` is sent as false; `stream_options`, which OpenAI refuses then, not at all). */
export async function createChatCompletion(connection: Connection, request: ChatRequest, options?: CallOptions): Promise<ChatCompletion> {
  const whole: Record<string, unknown> = { ...request };
  delete whole.stream_options;
  const answer = await callProvider(connection, "/chat/completions", { method: "POST", body: { ...whole, stream: false } }, options);
  const completion = ChatCompletion.safeParse(parseJson(await readText(answer, MAX_ANSWER_BYTES)));
  if (!completion.success) throw invalid("POST /chat/completions", "a chat completion (`choices` with a `message` each)");
  return completion.data;
}

/**
 * POST {baseUrl}/chat/completions streamed: yields each chunk as it arrives, the last one with
 * the usage (`stream_options.include_usage` is asked for unless the request says otherwise).
 * An error event in the stream throws a ProviderCallError; so does a stream that ends without
 * `[DONE]`. Stopping the iteration closes the connection.
 */
export async function* streamChatCompletion(connection: Connection, request: ChatRequest, options?: CallOptions): AsyncGenerator<ChatCompletionChunk> {
  const body = { ...request, stream: true, stream_options: { include_usage: true, ...(request.stream_options as object | undefined) } };
  const answer = await callProvider(connection, "/chat/completions", { method: "POST", body, accept: "text/event-stream" }, options);
  try {
    for await (const data of serverSentData(answer.body)) {
      if (data === "[DONE]") return;
      const parsed = parseJson(data) as { error?: unknown } | undefined;
      if (parsed && typeof parsed === "object" && "error" in parsed && parsed.error) {
        const words = providerWords(data, connection);
        throw new ProviderCallError("http_status", `The endpoint sent an error in the middle of the stream${words ? `: ${words}` : "."}`, 200);
      }
      const chunk = ChatCompletionChunk.safeParse(parsed);
      if (!chunk.success) throw invalid("POST /chat/completions", "server-sent chat completion chunks");
      yield chunk.data;
    }
    throw new ProviderCallError("invalid_response", "The stream ended without `data: [DONE]`.");
  } finally {
    answer.close();
  }
}

/** The `data` of each server-sent event (lines joined by \n), in order. */
async function* serverSentData(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new SseDecoder(MAX_ANSWER_BYTES);
  try {
    for await (const chunk of body) yield* decoder.push(chunk);
  } catch (error) {
    if (error instanceof RangeError) throw invalid("POST /chat/completions", "server-sent events of a sane size");
    throw error;
  }
  yield* decoder.end();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function invalid(call: string, expected: string): ProviderCallError {
  return new ProviderCallError("invalid_response", `The endpoint answered ${call} with something other than ${expected}.`);
}
