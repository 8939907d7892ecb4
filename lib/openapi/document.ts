import { z } from "zod";
import { OpenAiErrorDto } from "../gateway/schemas";
import { APP_VERSION } from "../version";
import { ENDPOINTS, type Endpoint } from "./endpoints";

// The OpenAPI 3.1 document served at /api/openapi.json, generated from ENDPOINTS.

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    current: z.unknown().optional().describe("On 409: the current state the request lost to"),
    requestId: z.string(),
  }),
});

const ERROR_TEXT: Record<number, string> = {
  400: "Bad input; `details` names each field and its problem",
  401: "No session and no valid API key",
  403: "Missing permission (role), an API key without the scope this endpoint needs, or a client key limited to other configs (`details` names the field: `config`, `events.N.config`)",
  404: "Not found",
  409: "Conflict: stale revision or a transition the current state does not allow; `current` holds the state",
  413: "Body over the endpoint's limit (1 MB for the admin API, 10 MB for /api/metrics, 64 KB for other client calls)",
  415: "Body is not JSON",
  405: "Method not allowed here",
  429: "The provider's rate limit (gateway: its status passed on)",
  502: "Gateway: the version's provider connection is missing or broken (named in the message), or the provider failed",
  503: "Database unavailable; retry after `Retry-After` seconds",
  504: "Gateway: the provider did not answer within the timeout",
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === "date") Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
    },
  }) as Record<string, unknown>;
}

/** Drops the `$schema` key: inside an OpenAPI document the dialect is the document's. */
function stripMeta(schema: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema"));
}

function operation(endpoint: Endpoint) {
  const pathParams = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
  const query = endpoint.query ? jsonSchema(endpoint.query, "input") : { properties: {}, required: [] };
  const required = (query.required as string[] | undefined) ?? [];
  const queryParams = Object.entries((query.properties ?? {}) as Record<string, Record<string, unknown>>).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.includes(name),
    // An object in a query string is sent as `name[key]=value` (e.g. /api/route's `variables`).
    ...(schema.type === "object" ? { style: "deepObject", explode: true } : {}),
    schema,
  }));
  const errors = [...(endpoint.errors ?? []), ...(endpoint.auth === "admin" ? [401, 403, 503] : endpoint.auth === "client" ? [401, 403] : [])];
  const needs = endpoint.scope ? `the \`${endpoint.scope}\` permission` : endpoint.keyScope ? `an API key with the \`${endpoint.keyScope}\` scope` : null;
  return {
    summary: endpoint.summary,
    ...(needs ? { description: `Needs ${needs}.` } : {}),
    security: endpoint.auth === "admin" ? [{ apiKey: [] }, { session: [] }] : endpoint.auth === "client" ? [{ apiKey: [] }] : [],
    parameters: [...pathParams, ...queryParams],
    ...(endpoint.body
      ? { requestBody: { required: true, content: { "application/json": { schema: stripMeta(jsonSchema(endpoint.body, "input")) } } } }
      : {}),
    responses: {
      [String(endpoint.status ?? 200)]: {
        description: endpoint.stream ? "OK: events as they come, one JSON object per line (`Accept: application/json`: the whole answer at the end)" : "OK",
        ...(endpoint.response || endpoint.stream
          ? {
              content: {
                ...(endpoint.stream ? { "application/x-ndjson": { schema: stripMeta(jsonSchema(endpoint.stream, "output")) } } : {}),
                ...(endpoint.response ? { "application/json": { schema: stripMeta(jsonSchema(endpoint.response, "output")) } } : {}),
                ...(endpoint.eventStream ? { "text/event-stream": { schema: { type: "string", description: endpoint.eventStream } } } : {}),
              },
            }
          : {}),
      },
      ...Object.fromEntries(
        [...new Set(errors)].sort().map((status) => [
          String(status),
          {
            description: ERROR_TEXT[status] ?? "Error",
            content: { "application/json": { schema: { $ref: `#/components/schemas/${endpoint.errorShape === "openai" ? "OpenAiError" : "Error"}` } } },
          },
        ]),
      ),
    },
  };
}

export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of ENDPOINTS) (paths[endpoint.path] ??= {})[endpoint.method] = operation(endpoint);
  return {
    openapi: "3.1.0",
    info: {
      title: "LLM Canary API",
      version: APP_VERSION,
      description:
        "Client API (/api/route, /api/routing-state, /api/metrics, /api/feedback): `Authorization: Bearer <API key with the route or metrics scope>`. " +
        "Gateway (/v1/chat/completions, /v1/models): OpenAI-compatible, `Authorization: Bearer <API key with the gateway scope>`; its errors have OpenAI's shape (`OpenAiError`). " +
        "Admin API: a session cookie, or `Authorization: Bearer <API key with the admin scope>`. Every other error has the shape of `Error`.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "lck_<selector>_<secret>, from `npm run cli -- api-key create`" },
        session: { type: "apiKey", in: "cookie", name: "authjs.session-token" },
      },
      schemas: { Error: stripMeta(jsonSchema(ErrorBody, "output")), OpenAiError: stripMeta(jsonSchema(OpenAiErrorDto, "output")) },
    },
    paths,
  };
}

export const openApiDocument = buildOpenApiDocument();
