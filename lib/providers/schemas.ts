import { z } from "zod";

// Provider connections: an OpenAI-compatible endpoint (base URL, API key, optional extra headers).
// The key and the headers' values go in and are never given back: answers carry a hint of the key
// (its last four characters, for keys long enough to spare them) and the headers' names.

export const MAX_HEADERS = 20;

/** Headers the product sets itself on every call: `Authorization` comes from `apiKey`. */
const RESERVED_HEADERS = new Set([
  "authorization", "host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
  "upgrade", "te", "trailer", "expect", "proxy-authorization", "proxy-connection",
]);

const BaseUrl = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") ctx.addIssue({ code: "custom", message: `must be an http:// or https:// URL, not ${url.protocol}//` });
    else if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not hold a user name or password: put credentials in `apiKey` or `headers`, which are kept sealed" });
    else if (url.search || url.hash || value.includes("?") || value.includes("#")) ctx.addIssue({ code: "custom", message: "must not have a query or fragment: paths such as /models and /chat/completions are appended to it" });
  })
  // `https://api.openai.com/v1/` and `…/v1` are one endpoint: paths are appended after a slash.
  .transform((value) => value.replace(/\/+$/, ""));

const ApiKey = z
  .string()
  .min(1, "must not be empty")
  .max(4096, "must be at most 4096 characters")
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces (it is sent as `Authorization: Bearer <apiKey>`)");

const HeaderName = z
  .string()
  .max(100, "must be at most 100 characters")
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)")
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), "is set by LLM Canary itself (`Authorization` from `apiKey`)");

const HeaderValue = z
  .string()
  .max(4096, "must be at most 4096 characters")
  .regex(/^[\x20-\x7e\t]*$/, "must be printable ASCII (no line breaks)");

/** No two names that differ only in case: HTTP would send one of them. */
function uniqueNames(headers: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const name of Object.keys(headers)) {
    const other = seen.get(name.toLowerCase());
    if (other !== undefined) ctx.addIssue({ code: "custom", path: [name], message: `names the same header as \`${other}\` (names are case-insensitive)` });
    seen.set(name.toLowerCase(), name);
  }
}

const Headers = z
  .record(HeaderName, HeaderValue)
  .refine((headers) => Object.keys(headers).length <= MAX_HEADERS, `must hold at most ${MAX_HEADERS} headers`)
  .superRefine(uniqueNames);

export const CreateProviderInput = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    baseUrl: BaseUrl.describe("the API's base URL, e.g. https://api.openai.com/v1 (paths such as /chat/completions are appended)"),
    apiKey: ApiKey.describe("sent as `Authorization: Bearer <apiKey>`; stored sealed and never shown again"),
    headers: Headers.default({}).describe("extra headers sent with every call (e.g. OpenAI-Organization); their values are stored sealed and never shown again"),
  })
  .strict();
export type CreateProviderInput = z.infer<typeof CreateProviderInput>;

export const UpdateProviderInput = z
  .object({
    name: CreateProviderInput.shape.name,
    baseUrl: BaseUrl,
    apiKey: ApiKey.describe("a new key; leave it out to keep the stored one"),
    headers: z
      .record(HeaderName, HeaderValue.nullable())
      .superRefine(uniqueNames)
      .describe("merged as in JSON Merge Patch: a value sets that header, null removes it, headers not named stay as they are"),
  })
  .partial()
  .strict();
export type UpdateProviderInput = z.infer<typeof UpdateProviderInput>;

export const ProviderDto = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  apiKeyHint: z.string().describe("`…` and the key's last four characters (only `…` for keys shorter than 16); the key itself is never shown"),
  headerNames: z.array(z.string()).describe("the extra headers' names; their values are never shown"),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ProviderDto = z.infer<typeof ProviderDto>;

export const ProviderNameDto = z.object({ id: z.string(), name: z.string() });
export type ProviderNameDto = z.infer<typeof ProviderNameDto>;

/** Why a call to a provider failed. The first three are lib/outbound's; the text is what people read. */
export const PROVIDER_FAILURES = {
  refused_by_policy: "refused by the outbound policy",
  timeout: "no answer in time",
  connection_failed: "no HTTP answer (unknown host, connection refused or reset, TLS failure)",
  http_status: "answered with an error status",
  invalid_response: "answered in a shape that is not the OpenAI API's",
  key_unreadable: "the stored key cannot be read",
} as const;
export type ProviderFailure = keyof typeof PROVIDER_FAILURES;
const FAILURE_CODES = Object.keys(PROVIDER_FAILURES) as [ProviderFailure, ...ProviderFailure[]];

export const ProviderCallErrorDto = z.object({
  kind: z.enum(FAILURE_CODES),
  status: z.number().int().nullable().describe("the HTTP status the endpoint answered, if it answered"),
  message: z.string().describe("what went wrong, for people; never holds the key or a header's value"),
});

export const ProviderTestDto = z.object({
  ok: z.boolean(),
  latencyMs: z.number().int(),
  models: z.array(z.string()).describe("the ids GET {baseUrl}/models listed, sorted (at most 1000); empty on failure"),
  error: ProviderCallErrorDto.nullable(),
});
export type ProviderTestDto = z.infer<typeof ProviderTestDto>;
