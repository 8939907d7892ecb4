import { z } from "zod";
import { RouteVariables } from "../hot/route-schemas";
import { ChatCompletion } from "../providers/openai-api";

// The gateway's contract: OpenAI's chat-completions request, of which the gateway reads what it
// routes and renders with (`model` names the config, `user` the user, `variables` the version's
// template values) and passes every other field on as the client sent it (lib/release/chat-request.ts
// says which the version's settings replace). Errors have OpenAI's shape (./openai-errors.ts).

/** Conversations with long documents or images in them are large; anything larger is refused with 413. */
export const GATEWAY_MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MAX_CLIENT_MESSAGES = 2_000;

/**
 * How deeply a body may nest. OpenAI's own shapes nest a handful of levels (a content part's image
 * URL, a tool's JSON Schema); much deeper is an attack on whoever serializes it next.
 */
export const MAX_BODY_DEPTH = 64;

const MESSAGE_ROLES = ["system", "developer", "user", "assistant", "tool", "function"] as const;

/**
 * The path of the first value nested deeper than `limit`, or null. Recursive, but it never goes
 * below `limit` levels, so any body is safe to check; it allocates nothing until it finds one (a
 * path per value made every call allocate as much again as its body).
 */
function tooDeep(value: unknown, limit: number, depth = 0): (string | number)[] | null {
  if (value === null || typeof value !== "object") return null;
  if (depth >= limit) return [];
  const found = (key: string | number, path: (string | number)[] | null) => (path ? (path.unshift(key), path) : null);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const path = found(i, tooDeep(value[i], limit, depth + 1));
      if (path) return path;
    }
    return null;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const path = found(key, tooDeep((value as Record<string, unknown>)[key], limit, depth + 1));
    if (path) return path;
  }
  return null;
}

/** A message as the client sends it: its role checked, everything else passed on untouched. */
const ClientMessage = z
  .object({ role: z.enum(MESSAGE_ROLES, { error: () => `must be one of ${MESSAGE_ROLES.join(", ")}` }) })
  .passthrough();

export const ChatCompletionInput = z
  .object({
    model: z
      .string("must be a config key like support-chat")
      .min(1, "must not be empty")
      .max(200, "must be at most 200 characters")
      .describe("the config's key, e.g. `support-chat`; `canary/support-chat` names the same config"),
    messages: z
      .array(ClientMessage)
      .min(1, "must hold at least one message")
      .max(MAX_CLIENT_MESSAGES, `must hold at most ${MAX_CLIENT_MESSAGES} messages`)
      .describe("the conversation: placed in the version's first history placeholder, or after the version's messages"),
    user: z
      .string("must be the end user's id")
      .min(1, "must not be empty")
      .max(256, "must be at most 256 characters")
      .optional()
      .describe("the end user, routed sticky by this id (or send X-Canary-User, which wins); one of the two is required"),
    stream: z.boolean("must be true or false").nullish().describe("true: server-sent events, relayed chunk by chunk"),
    stream_options: z
      .object({ include_usage: z.boolean("must be true or false").nullish() })
      .passthrough()
      .nullish()
      .describe("include_usage: true keeps the final usage chunk (the gateway always asks the provider for it, and drops it otherwise)"),
    variables: RouteVariables.optional().describe(
      "values for the version's {{variables}} (or send X-Canary-Variables: <JSON object>; the body's values win)",
    ),
  })
  .passthrough()
  .superRefine((body, ctx) => {
    const path = tooDeep(body, MAX_BODY_DEPTH);
    if (path) ctx.addIssue({ code: "custom", path, message: `is nested too deeply: the body may nest at most ${MAX_BODY_DEPTH} levels` });
  });
export type ChatCompletionInput = z.output<typeof ChatCompletionInput>;

/** A config as an OpenAI model object. */
export const ModelDto = z.object({
  id: z.string().describe("the config's key: send it as `model`"),
  object: z.literal("model"),
  created: z.number().int().describe("when the config was created, in seconds since the epoch"),
  owned_by: z.literal("llm-canary"),
});

export type ModelDto = z.infer<typeof ModelDto>;

export const ModelListDto = z.object({ object: z.literal("list"), data: z.array(ModelDto) });
export type ModelListDto = z.infer<typeof ModelListDto>;

/** The provider's answer, passed on as it came (only these fields are checked). */
export const ChatCompletionDto = ChatCompletion;

/** OpenAI's error shape; `code` is one of the product's error codes or the gateway's own. */
export const OpenAiErrorDto = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().describe("invalid_request_error, authentication_error, permission_error, not_found_error, rate_limit_error, api_error"),
    code: z.string().nullable().describe("the product's error code (invalid_request, not_found, …) or provider_unavailable, provider_rejected, upstream_error, timeout"),
    param: z.string().nullable().describe("the field at fault, e.g. `messages.0.role`"),
  }),
});
