import { HISTORY_ROLE, type LlmSettings, type TemplateMessage } from "./llm-settings";

// A version's settings as the body of an OpenAI chat-completions request, for every call the
// product makes itself (the playground now; evaluators and the gateway build on it). Pure. The
// messages come in rendered (lib/release/llm-template.ts, the rendering /api/route answers with);
// history placeholders are the app's to fill, so a call with no history drops them. `params` goes
// first, so an extra parameter never replaces a field the version sets itself. The retrieval
// strategy is the app's to run and is not sent.

export interface ChatMessage {
  role: string;
  content: string;
}

/** The request body: `model`, `messages` and each parameter the version sets. */
export type ChatRequestBody = { model: string; messages: ChatMessage[] } & Record<string, unknown>;

export function chatRequestOf(llm: LlmSettings, rendered: readonly TemplateMessage[], extraMessages: readonly ChatMessage[] = []): ChatRequestBody {
  const messages: ChatMessage[] = [];
  for (const message of rendered) if (message.role !== HISTORY_ROLE) messages.push({ role: message.role, content: message.content });
  messages.push(...extraMessages);
  return {
    ...llm.params,
    model: llm.model,
    messages,
    temperature: llm.temperature,
    top_p: llm.topP,
    max_tokens: llm.maxTokens,
    ...(llm.stop.length > 0 && { stop: llm.stop }),
    ...(llm.seed !== null && { seed: llm.seed }),
    ...(llm.tools.length > 0 && {
      tools: llm.tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } })),
    }),
    ...(llm.toolChoice !== null && {
      tool_choice: typeof llm.toolChoice === "string" ? llm.toolChoice : { type: "function", function: { name: llm.toolChoice.name } },
    }),
    ...(llm.responseFormat !== null && { response_format: responseFormatOf(llm.responseFormat) }),
  };
}

function responseFormatOf(format: NonNullable<LlmSettings["responseFormat"]>): Record<string, unknown> {
  if (format.type !== "json_schema") return { type: format.type };
  const { name, description, schema, strict } = format;
  return { type: "json_schema", json_schema: { name, ...(description !== undefined && { description }), schema, ...(strict !== undefined && { strict }) } };
}
