import type { SentOrder } from "./version-body";

// The version editor's labels by the create-version request's paths, so the server's messages
// name what the person sees ("Message 2 content must …", not "The `messages.1.content` field …";
// lib/query/error-text.ts does the mapping). Pure.

export const VERSION_LABELS: Readonly<Record<string, string>> = {
  label: "Label",
  model: "Model",
  provider: "Provider",
  providerId: "Provider connection",
  description: "Description",
  messages: "Messages",
  "messages.*": "Message {1}",
  "messages.*.role": "Message {1} role",
  "messages.*.content": "Message {1} content",
  "messages.*.name": "Message {1} history name",
  variables: "Variables",
  temperature: "Temperature",
  topP: "top_p",
  maxTokens: "Max tokens",
  seed: "Seed",
  stop: "Stop sequences",
  "stop.*": "Stop sequence {1}",
  tools: "Tools",
  "tools.*": "Tool {1}",
  "tools.*.name": "Tool {1} name",
  "tools.*.description": "Tool {1} description",
  "tools.*.parameters": "Tool {1} parameters",
  toolChoice: "Tool choice",
  "toolChoice.name": "Tool choice",
  responseFormat: "Response format",
  "responseFormat.type": "Response format",
  "responseFormat.name": "Schema name",
  "responseFormat.description": "Schema description",
  "responseFormat.schema": "Response schema",
  "responseFormat.strict": "Strict",
  retrievalStrategy: "Retrieval strategy",
  "retrievalStrategy.type": "Retrieval type",
  "retrievalStrategy.index": "Retrieval index",
  "retrievalStrategy.topK": "Top K",
  "retrievalStrategy.minScore": "Min score",
  "retrievalStrategy.reranker": "Reranker",
  params: "Extra parameters",
  parentVersionId: "Start from",
};

/** VERSION_LABELS with the variables that were sent, by name (the request lists them by index). */
export function versionLabels(sent: SentOrder | null): Readonly<Record<string, string>> {
  if (!sent) return VERSION_LABELS;
  const variables = sent.variables.flatMap((name, i) => [
    [`variables.${i}`, `Variable ${name}`],
    [`variables.${i}.name`, `Variable ${name}`],
    [`variables.${i}.default`, `Default of ${name}`],
    [`variables.${i}.description`, `Description of ${name}`],
  ]);
  return { ...VERSION_LABELS, ...Object.fromEntries(variables) };
}
