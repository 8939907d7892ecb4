import type { DbOrTx } from "../db/types";
import { connectionFor } from "./connection-service";
import { createChatCompletion, streamChatCompletion, type ChatCompletion, type ChatCompletionChunk, type ChatRequest } from "./openai-api";
import type { CallOptions } from "./provider-call";

// Chat completions through a stored connection, for every feature that calls an LLM (playground,
// evaluators, gateway): the connection's secrets are opened for the call only, the outbound policy
// applies to every hop, and failures are ProviderCallErrors whose messages are safe to show.

export type { ChatCompletion, ChatCompletionChunk, ChatRequest, CallOptions };
export { ProviderCallError } from "./provider-call";

/** The whole answer. */
export async function chatThroughProvider(db: DbOrTx, providerId: string, request: ChatRequest, options?: CallOptions): Promise<ChatCompletion> {
  return createChatCompletion(await connectionFor(db, providerId), request, options);
}

/** The answer chunk by chunk as it streams in, the usage in the last chunk; stop iterating to hang up. */
export async function* streamThroughProvider(db: DbOrTx, providerId: string, request: ChatRequest, options?: CallOptions): AsyncGenerator<ChatCompletionChunk> {
  yield* streamChatCompletion(await connectionFor(db, providerId), request, options);
}
