import { z } from "zod";
import { AuditFacetsDto, AuditPageDto, AuditQuery } from "../audit/schemas";
import { ChatCompletionDto, ChatCompletionInput, ModelDto, ModelListDto } from "../gateway/schemas";
import { RolloutReportDto } from "../analysis/report-schemas";
import { ReportSnapshotDto } from "../analysis/rollout-actions";
import { SamplesPageDto, SamplesQuery } from "../analysis/samples-service";
import { SeriesDto } from "../analysis/series";
import { ChannelDto, CreateChannelInput, DeliveryDto, UpdateChannelInput } from "../alerts/schemas";
import { CreateEvaluatorInput, EvaluationLogDto, EvaluationLogQuery, EvaluatorDto, UpdateEvaluatorInput } from "../evaluators/schemas";
import { ApiKeyDto, CreateApiKeyInput, CreateUserInput, UpdateUserInput, UserDto } from "../auth/schemas";
import type { ApiKeyScope, Scope } from "../auth/scopes";
import { RouteAnswerDto, RouteInput } from "../hot/route-schemas";
import { RoutingStateDto, RoutingStateQuery } from "../hot/routing-state";
import { FeedbackDto, FeedbackInput, LateScoresBatchInput, MetricsAcceptedDto, MetricsBatchInput, ScoresAcceptedDto } from "../metrics/schemas";
import { CreateProviderInput, ProviderDto, ProviderNameDto, ProviderTestDto, UpdateProviderInput } from "../providers/schemas";
import { ConfigDetailDto, ConfigDto, ConfigListItemDto, CreateConfigInput, RoutePreviewDto, RoutePreviewQuery, UpdateConfigInput } from "../release/config-schemas";
import { ConfigRollbackInput, RolloutActionInput, RolloutDto, StartRolloutInput } from "../release/rollout-schemas";
import { ModelPriceDto, SetPriceInput } from "../pricing/schemas";
import { PlaygroundEvent, PlaygroundInput, PlaygroundRunDto, RunsPageDto, RunsQuery } from "../playground/schemas";
import { CreateScoreInput, ScoreDefinitionDto, UpdateScoreInput } from "../release/score-schemas";
import { ROLLOUT_ACTIONS } from "../release/transitions";
import { CreateVersionInput, DiffQuery, VersionDiffDto, VersionDto } from "../release/version-schemas";

// Every HTTP endpoint, described with the same zod schemas the services parse with. The OpenAPI
// document is generated from this list; tests/unit/openapi.test.ts fails when a route file under
// app/api or a client API path (lib/hot/client-api.ts) has no entry here, or an entry has no route.

export interface Endpoint {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  summary: string;
  /** admin: session or API key with the admin scope; client: API key with `keyScope`; public: none. */
  auth: "admin" | "client" | "public";
  scope?: Scope;
  keyScope?: ApiKeyScope;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** Streamed: each line of the answer (application/x-ndjson) is one of these; `response` is the answer to `Accept: application/json`. */
  stream?: z.ZodType;
  status?: number;
  errors?: number[];
  /** The gateway's endpoints answer errors in OpenAI's shape, not the product's. */
  errorShape?: "openai";
  /** Answered as server-sent events instead when the request asks (`stream: true`): what they hold. */
  eventStream?: string;
}

const HealthDto = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  database: z.object({
    kind: z.enum(["embedded", "server"]),
    reachable: z.boolean(),
    migrations: z.object({ applied: z.array(z.string()), pending: z.array(z.string()), failed: z.array(z.string()) }),
  }),
  clientApi: z.object({
    snapshot: z
      .object({ state: z.enum(["live", "stale"]), loadedAt: z.string(), configs: z.number().int() })
      .nullable()
      .describe("the client API's in-memory routing snapshot; stale while the database is unreachable; null when this process serves no client API"),
  }),
  gateway: z.object({
    recorder: z
      .object({
        buffered: z.number().int().describe("outcomes waiting in memory to be stored (they pile up while the database is down)"),
        inFlight: z.number().int().describe("outcomes in the batch being stored"),
        delivered: z.number().int().describe("outcomes stored since the server started"),
        dropped: z.number().int().describe("outcomes never stored since the server started: the buffer was full, or they were refused"),
      })
      .nullable()
      .describe("the gateway's outcome recorder; null when this process serves no gateway"),
  }),
});

const READ: Pick<Endpoint, "auth" | "scope"> = { auth: "admin", scope: "configs:read" };

const ROUTE_ERRORS = [400, 404, 409, 413, 415];

export const ENDPOINTS: Endpoint[] = [
  { method: "post", path: "/api/route", summary: "Which version this user gets (sticky), with its LLM settings; with `variables`, also its messages rendered (a 400 names a missing required variable); answered from memory", auth: "client", keyScope: "route", body: RouteInput, response: RouteAnswerDto, errors: ROUTE_ERRORS },
  { method: "get", path: "/api/route", summary: "The same as POST /api/route, with query parameters (`variables[name]=value` for variables)", auth: "client", keyScope: "route", query: RouteInput, response: RouteAnswerDto, errors: ROUTE_ERRORS },
  { method: "get", path: "/api/routing-state", summary: "A config's routing state for local evaluation with lib/release/router.ts (versions with their LLM settings, to render with lib/release/llm-template.ts); ETag, 304 when unchanged", auth: "client", keyScope: "route", query: RoutingStateQuery, response: RoutingStateDto, errors: [400, 404] },
  { method: "post", path: "/api/metrics", summary: "Report up to 1000 outcomes, each with its custom scores if any; idempotent on (config, requestId) for as long as the outcome is kept (LLM_CANARY_RETENTION_DAYS); samples kept as the config's sample policy says; one bad event (or score: events.N.scores.<key>, or an `at` older than the retention: events.N.at) refuses the batch and nothing is stored", auth: "client", keyScope: "metrics", body: MetricsBatchInput, response: MetricsAcceptedDto, status: 202, errors: [400, 413, 415, 503] },
  { method: "post", path: "/api/scores", summary: "Late custom scores for up to 1000 reported requests; a re-sent score replaces the earlier one (kept in its history). One bad event refuses the batch (400 naming events.N.scores.<key>); 404 naming each events.N.requestId whose outcome is not stored yet; nothing is stored then", auth: "client", keyScope: "metrics", body: LateScoresBatchInput, response: ScoresAcceptedDto, status: 202, errors: [400, 403, 404, 409, 413, 415, 503] },
  { method: "post", path: "/api/feedback", summary: "A late 1-5 rating for a reported request; a second one replaces the first", auth: "client", keyScope: "metrics", body: FeedbackInput, response: FeedbackDto, status: 202, errors: [400, 404, 409, 413, 415, 503] },

  {
    method: "post",
    path: "/v1/chat/completions",
    summary:
      "OpenAI-compatible chat completions: `model` names the config, `user` (or X-Canary-User) the user, routed sticky as /api/route does; the chosen version's rendered messages and settings are sent to its provider connection and the answer relayed as it came, with x-canary-request-id, x-canary-variant and x-canary-version; the outcome is recorded. Errors in OpenAI's shape: the provider's status kept, 502 for a missing or broken connection, 504 for a timeout",
    auth: "client",
    keyScope: "gateway",
    body: ChatCompletionInput,
    response: ChatCompletionDto,
    errorShape: "openai",
    eventStream: "with `stream: true`: the provider's chunks as they arrive, then `data: [DONE]`; the usage chunk only with `stream_options.include_usage`; a failure after the first chunk ends the stream with an `{ error }` event",
    errors: [400, 404, 405, 409, 413, 415, 429, 502, 504],
  },
  { method: "get", path: "/v1/models", summary: "The configs the key may use (those with a version), as OpenAI model objects: send one's id as `model`", auth: "client", keyScope: "gateway", response: ModelListDto, errorShape: "openai", errors: [405] },
  { method: "get", path: "/v1/models/{model}", summary: "One config as an OpenAI model object (OpenAI's retrieve-model call): `model` is its key, or `canary/<key>` (the slash sent as %2F or as it is); 404 when there is no such config or it has no version", auth: "client", keyScope: "gateway", response: ModelDto, errorShape: "openai", errors: [404, 405] },

  { method: "get", path: "/api/health", summary: "Health: database kind, reachability, migration state (503 when degraded)", auth: "public", response: HealthDto, errors: [503] },
  { method: "get", path: "/api/openapi.json", summary: "This document", auth: "public" },
  { method: "get", path: "/api/auth/{nextauth}", summary: "next-auth endpoints behind the console's sign-in and sign-out (not for API clients)", auth: "public" },
  { method: "post", path: "/api/auth/{nextauth}", summary: "next-auth endpoints behind the console's sign-in and sign-out (not for API clients)", auth: "public" },

  { method: "get", path: "/api/admin/configs", summary: "List configs with stable version, active rollout and last ended rollout (its outcome, who ended it, why and when)", ...READ, response: z.object({ configs: z.array(ConfigListItemDto) }) },
  { method: "post", path: "/api/admin/configs", summary: "Create a config", auth: "admin", scope: "configs:write", body: CreateConfigInput, response: ConfigDto, status: 201, errors: [400, 409] },
  { method: "get", path: "/api/admin/configs/{key}", summary: "A config with its stable version, active rollout and revision", ...READ, response: ConfigDetailDto, errors: [404] },
  { method: "patch", path: "/api/admin/configs/{key}", summary: "Change a config's sample policy (which outcomes keep their input and output samples — all, a fraction of requests, errors and low ratings, or none — for /api/metrics and gateway calls alike) and its gateway setting (whether clients' sampling parameters override the versions'). 400 naming the field; audited; the revision stays (these are not routing state)", auth: "admin", scope: "configs:write", body: UpdateConfigInput, response: ConfigDto, errors: [400, 404] },

  { method: "get", path: "/api/admin/configs/{key}/versions", summary: "The config's versions, newest first", ...READ, response: z.object({ versions: z.array(VersionDto) }), errors: [404] },
  { method: "post", path: "/api/admin/configs/{key}/versions", summary: "Create an immutable version (the first one becomes stable): its LLM settings, with `messages` or (as before) `systemPrompt` alone; the variables its messages use are detected", auth: "admin", scope: "configs:write", body: CreateVersionInput, response: VersionDto, status: 201, errors: [400, 404, 409] },
  { method: "get", path: "/api/admin/configs/{key}/versions/{id}", summary: "One version", ...READ, response: VersionDto, errors: [404] },
  { method: "get", path: "/api/admin/configs/{key}/diff", summary: "Semantic diff of two versions, part by part, each change in words: messages lined up one by one (added, removed, moved, changed, each with its line diff), tools and their parameters, the response format, sampling and other settings, variables; plus the first system message's line diff as the first API had it", ...READ, query: DiffQuery, response: VersionDiffDto, errors: [400, 404] },

  { method: "get", path: "/api/admin/configs/{key}/scores", summary: "The config's custom scores, oldest first: guardrails (judged by rollouts started after they exist) and tracked ones (charted and reported only)", ...READ, response: z.object({ scores: z.array(ScoreDefinitionDto) }), errors: [404] },
  { method: "post", path: "/api/admin/configs/{key}/scores", summary: "Define a custom score: key unique per config (409 when taken; at most 50 per config), kind boolean or numeric (numeric needs min < max), threshold defaulting to a drop of 2 points of pass rate or 5 % of the range", auth: "admin", scope: "configs:write", body: CreateScoreInput, response: ScoreDefinitionDto, status: 201, errors: [400, 404, 409] },
  { method: "patch", path: "/api/admin/configs/{key}/scores/{scoreKey}", summary: "Change a score's label, description, direction, guardrail, threshold or range (never its key or kind); the result is checked as a whole. Running rollouts keep the thresholds they copied", auth: "admin", scope: "configs:write", body: UpdateScoreInput, response: ScoreDefinitionDto, errors: [400, 404] },
  { method: "delete", path: "/api/admin/configs/{key}/scores/{scoreKey}", summary: "Delete a score and answer with it; 409 naming the rollout while a running or paused rollout judges it. Values already stored stay", auth: "admin", scope: "configs:write", response: ScoreDefinitionDto, errors: [404, 409] },

  { method: "get", path: "/api/admin/configs/{key}/evaluators", summary: "The config's online evaluators (LLM-as-a-judge), oldest first", ...READ, response: z.object({ evaluators: z.array(EvaluatorDto) }), errors: [404] },
  { method: "post", path: "/api/admin/configs/{key}/evaluators", summary: "Add an evaluator: a judge prompt (a template using {{output}}, and {{input}} and the version's variables if it likes), a connection and model, how to read the answer (number on a scale mapped onto the score's range, a JSON field, or pass/fail), the custom score it writes, and its sampling (rate, a minimum of canary outcomes per minute, a cap per minute, canary first). It evaluates outcomes stored after it is made that carry an output sample (and an input one when the prompt uses {{input}}). 400 naming `scoreKey` or `providerId` when they name nothing, or `answer.format` when it cannot give the score's kind; 409 when the name is taken (at most 20 per config)", auth: "admin", scope: "configs:write", body: CreateEvaluatorInput, response: EvaluatorDto, status: 201, errors: [400, 404, 409] },
  { method: "patch", path: "/api/admin/configs/{key}/evaluators/{id}", summary: "Change an evaluator (any field; the result is checked as a whole). `enabled: false` pauses it: nothing is sampled or called meanwhile, and outcomes that arrive then are not evaluated later", auth: "admin", scope: "configs:write", body: UpdateEvaluatorInput, response: EvaluatorDto, errors: [400, 404, 409] },
  { method: "delete", path: "/api/admin/configs/{key}/evaluators/{id}", summary: "Delete an evaluator and its pending evaluations; its finished evaluations stay in the rollouts' logs and its scores stay stored", auth: "admin", scope: "configs:write", response: EvaluatorDto, errors: [404] },

  { method: "get", path: "/api/admin/configs/{key}/rollouts", summary: "The config's rollouts, newest first", ...READ, response: z.object({ rollouts: z.array(RolloutDto) }), errors: [404] },
  { method: "post", path: "/api/admin/configs/{key}/rollouts", summary: "Start a canary rollout (stages default to 1/5/10/25/50/100 %). It judges the thresholds of the config's guardrail scores as they are now; `thresholds.scores.<key>` overrides one (400 naming it when <key> is not a guardrail score of the config)", auth: "admin", scope: "rollouts:start", body: StartRolloutInput, response: RolloutDto, status: 201, errors: [400, 404, 409] },
  { method: "post", path: "/api/admin/configs/{key}/rollback", summary: "Roll back whatever is active, or revert the last promotion (reason required)", auth: "admin", scope: "rollouts:operate", body: ConfigRollbackInput, response: RolloutDto, errors: [400, 404, 409] },

  { method: "post", path: "/api/admin/configs/{key}/playground", summary: "Run one to four columns side by side — saved versions (`versionId`) or unsaved edits (`settings`) — with the same variables (rendered as /api/route renders them) and user message, each through its provider connection (the column's `providerId`, else the version's). Streamed as newline-delimited JSON: `start`, then each column's `delta` pieces and its `done` (answer, tool calls, tokens, cost, latency, time to first token, or its own error while the others go on), then `run`, the stored run. With `Accept: application/json`, the stored run alone once every column has finished. 400 names the field: a version or connection that does not exist (`columns.N.versionId`, `columns.N.providerId`), a column without a connection, a variable a template needs (`variables.<name>`)", auth: "admin", scope: "playground:run", body: PlaygroundInput, stream: PlaygroundEvent, response: PlaygroundRunDto, errors: [400, 404, 413, 415] },
  { method: "get", path: "/api/admin/configs/{key}/playground/runs", summary: "The config's playground runs, newest first: who, when, which versions (or the edits), the inputs, and each column's answer, usage, cost, latency, time to first token and error. `nextCursor` fetches the next page", auth: "admin", scope: "playground:run", query: RunsQuery, response: RunsPageDto, errors: [400, 404] },

  { method: "get", path: "/api/admin/configs/{key}/route-preview", summary: "Which version a user gets now, and why (bucket, threshold, lists)", ...READ, query: RoutePreviewQuery, response: RoutePreviewDto, errors: [400, 404] },

  { method: "get", path: "/api/admin/rollouts/{id}", summary: "One rollout", ...READ, response: RolloutDto, errors: [404] },
  { method: "get", path: "/api/admin/rollouts/{id}/reports", summary: "The reports kept just before each stage advance, promotion, rollback and abort, oldest first", ...READ, response: z.object({ reports: z.array(ReportSnapshotDto) }), errors: [404] },
  { method: "get", path: "/api/admin/rollouts/{id}/samples", summary: "Requests of one variant, newest first: the worst-rated (maxRating) and/or erroring ones, with input and output samples; `kept` says which samples the config keeps and how long outcomes are kept", ...READ, query: SamplesQuery, response: SamplesPageDto, errors: [400, 404] },
  { method: "get", path: "/api/admin/rollouts/{id}/evaluations", summary: "The evaluation log of the rollout's outcomes, newest first: each evaluation's evaluator, request, variant, status (pending, done, failed), attempts, score, the judge's raw answer, latency, tokens, cost and error; with per-evaluator totals (counts, mean score, cost) and the rollout's evaluation cost", ...READ, query: EvaluationLogQuery, response: EvaluationLogDto, errors: [400, 404] },
  { method: "get", path: "/api/admin/rollouts/{id}/series", summary: "Stable and canary per minute (wider buckets for long rollouts): requests, then each metric of the rollout by key (built-ins and custom scores: value, what it rests on, the median of a quantile metric), canary share; null where there was no data", ...READ, response: SeriesDto, errors: [404] },
  { method: "get", path: "/api/admin/rollouts/{id}/report", summary: "The rollout's metrics (built-ins and custom scores), stable vs canary on each with 95% intervals, each guardrail's verdict with its sentence, the stage's progress and the recommendation the controller acts on", ...READ, response: RolloutReportDto, errors: [404] },
  { method: "post", path: "/api/admin/rollouts/{id}/{action}", summary: `Act on a rollout: ${ROLLOUT_ACTIONS.join(", ")} (rollback and revert need a reason; send the revision you saw to guard against races)`, auth: "admin", scope: "rollouts:operate", body: RolloutActionInput, response: RolloutDto, errors: [400, 404, 409] },

  { method: "get", path: "/api/admin/api-keys", summary: "API keys (never the secret), with who made each and the configs it may use (null: every config)", auth: "admin", scope: "api-keys:manage", response: z.object({ apiKeys: z.array(ApiKeyDto) }) },
  { method: "post", path: "/api/admin/api-keys", summary: "Create an API key, optionally limited to some configs (client keys only); `key` is in this response only. The key is revoked when the user it rests on is demoted below admin or disabled", auth: "admin", scope: "api-keys:manage", body: CreateApiKeyInput, response: z.object({ key: z.string(), apiKey: ApiKeyDto }), status: 201, errors: [400] },
  { method: "post", path: "/api/admin/api-keys/{id}/revoke", summary: "Revoke an API key (idempotent)", auth: "admin", scope: "api-keys:manage", response: ApiKeyDto, errors: [404] },

  { method: "get", path: "/api/admin/users", summary: "Users by e-mail, with last sign-in and whether disabled (never a password)", auth: "admin", scope: "users:manage", response: z.object({ users: z.array(UserDto) }) },
  { method: "post", path: "/api/admin/users", summary: "Create a user; without `password` a one-time password is generated, in this response only (null when one was given)", auth: "admin", scope: "users:manage", body: CreateUserInput, response: z.object({ user: UserDto, generatedPassword: z.string().nullable() }), status: 201, errors: [400, 409] },
  { method: "patch", path: "/api/admin/users/{id}", summary: "Change a user's role, name or disabled state; nobody demotes or disables themselves, and the last enabled admin stays (409)", auth: "admin", scope: "users:manage", body: UpdateUserInput, response: UserDto, errors: [400, 404, 409] },

  { method: "get", path: "/api/admin/alert-channels", summary: "Alert channels (the secret is never shown)", auth: "admin", scope: "alerts:manage", response: z.object({ channels: z.array(ChannelDto) }) },
  { method: "post", path: "/api/admin/alert-channels", summary: "Add a channel: generic webhook (JSON, HMAC-SHA256 signature), Slack incoming webhook, or DingTalk robot; optional event filter", auth: "admin", scope: "alerts:manage", body: CreateChannelInput, response: ChannelDto, status: 201, errors: [400] },
  { method: "get", path: "/api/admin/alert-channels/{id}", summary: "One alert channel", auth: "admin", scope: "alerts:manage", response: ChannelDto, errors: [404] },
  { method: "patch", path: "/api/admin/alert-channels/{id}", summary: "Change a channel (any fields; enabled: false mutes it)", auth: "admin", scope: "alerts:manage", body: UpdateChannelInput, response: ChannelDto, errors: [400, 404] },
  { method: "post", path: "/api/admin/alert-channels/{id}/test", summary: "Send a test alert now and answer with the attempt (status, HTTP status, error)", auth: "admin", scope: "alerts:manage", response: DeliveryDto, errors: [404] },
  { method: "get", path: "/api/admin/alert-channels/{id}/deliveries", summary: "The channel's delivery log, newest first: attempts, last HTTP status and error, next retry", auth: "admin", scope: "alerts:manage", response: z.object({ deliveries: z.array(DeliveryDto) }), errors: [404] },

  { method: "get", path: "/api/admin/model-prices", summary: "Model prices in USD per million input and output tokens, by model name (as versions write it). Ingest prices an outcome that carries both token counts but no costUsd by its version's model", ...READ, response: z.object({ prices: z.array(ModelPriceDto) }) },
  { method: "post", path: "/api/admin/model-prices", summary: "Set a model's price: adds the model or replaces its price. Outcomes stored afterwards are priced with it; stored costs stay", auth: "admin", scope: "prices:manage", body: SetPriceInput, response: ModelPriceDto, errors: [400] },
  { method: "delete", path: "/api/admin/model-prices/{model}", summary: "Remove a model's price (the model name may hold slashes); its outcomes then carry a cost only when the client sends one", auth: "admin", scope: "prices:manage", response: ModelPriceDto, errors: [404] },
  { method: "get", path: "/api/admin/providers", summary: "Provider connections, by name: base URL, the key's hint (last four characters) and the extra headers' names; never the key or a header's value", auth: "admin", scope: "providers:manage", response: z.object({ providers: z.array(ProviderDto) }) },
  { method: "post", path: "/api/admin/providers", summary: "Add an OpenAI-compatible connection; the key and header values are stored sealed (AES-256-GCM) and never shown again. 400 naming `baseUrl` when the outbound policy refuses its address; 409 when the name is taken", auth: "admin", scope: "providers:manage", body: CreateProviderInput, response: ProviderDto, status: 201, errors: [400, 409] },
  { method: "get", path: "/api/admin/providers/{id}", summary: "One provider connection", auth: "admin", scope: "providers:manage", response: ProviderDto, errors: [404] },
  { method: "patch", path: "/api/admin/providers/{id}", summary: "Change a connection: name, base URL, a new key (left out: the stored one stays), headers merged (a value sets one, null removes it)", auth: "admin", scope: "providers:manage", body: UpdateProviderInput, response: ProviderDto, errors: [400, 404, 409] },
  { method: "delete", path: "/api/admin/providers/{id}", summary: "Delete a connection and answer with it", auth: "admin", scope: "providers:manage", response: ProviderDto, errors: [404] },
  { method: "post", path: "/api/admin/providers/{id}/test", summary: "Test the connection: list its models (GET {baseUrl}/models) through the outbound policy, following redirects (each hop judged again). 200 either way: `ok`, the model ids, or the error (refused by the policy, timeout, no HTTP answer, the status and the endpoint's message with the key blotted out)", auth: "admin", scope: "providers:manage", response: ProviderTestDto, errors: [404] },

  { method: "get", path: "/api/admin/provider-names", summary: "Every provider connection's id and name (nothing else of it), by name: what a version's `providerId` may name", ...READ, response: z.object({ providers: z.array(ProviderNameDto) }) },

  { method: "get", path: "/api/admin/audit", summary: "Audit events, newest first, filtered by config key, rollout id, actor label and action (exact, or a prefix such as rollout.*), each naming what it is about (entityLabel) and its config (configKey). Events about users, API keys and alert channels only for those who may list them; secrets (webhook URL paths and queries, tokens) are masked", ...READ, query: AuditQuery, response: AuditPageDto, errors: [400, 404] },
  { method: "get", path: "/api/admin/audit/facets", summary: "The distinct actor labels and actions of the audit events the caller may see, sorted, at most 200 each: choices for the filters", ...READ, response: AuditFacetsDto },
];
