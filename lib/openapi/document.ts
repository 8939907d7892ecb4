import { APP_VERSION } from "../version";

// The OpenAPI document served at /api/openapi.json. Every route under app/api is listed here;
// tests/unit/openapi.test.ts fails when a route file has no entry.

const error = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "requestId"],
      properties: {
        code: { type: "string", example: "invalid_request" },
        message: { type: "string", example: "The `key` field must be 1-64 lower-case letters, digits and inner hyphens." },
        details: {
          type: "array",
          items: { type: "object", required: ["path", "message"], properties: { path: { type: "string" }, message: { type: "string" } } },
        },
        requestId: { type: "string" },
      },
    },
  },
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const config = {
  type: "object",
  required: ["id", "key", "name", "description", "revision", "canaryPercent", "stableVersion", "activeRollout", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string", example: "cfg_0a1b2c3d4e5f6g7h" },
    key: { type: "string", example: "support-chat" },
    name: { type: "string" },
    description: { type: "string" },
    revision: { type: "integer" },
    canaryPercent: { type: "number", minimum: 0, maximum: 100 },
    stableVersion: {
      nullable: true,
      type: "object",
      properties: { id: { type: "string" }, label: { type: "string" } },
    },
    activeRollout: {
      nullable: true,
      type: "object",
      properties: {
        id: { type: "string" },
        status: { type: "string", enum: ["running", "paused", "promoted", "rolled_back", "aborted"] },
        currentStage: { type: "integer" },
        stageStartedAt: { type: "string", format: "date-time" },
        canaryVersion: { type: "object", properties: { id: { type: "string" }, label: { type: "string" } } },
      },
    },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
} as const;

const authErrors = {
  "401": errorResponse("No session and no valid API key"),
  "403": errorResponse("Signed in, but without the needed permission (or an API key without the `admin` scope)"),
  "503": errorResponse("The database is unavailable; retry after `Retry-After` seconds"),
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "LLM Canary API",
    version: APP_VERSION,
    description:
      "Admin API (session cookie or `Authorization: Bearer <API key with the admin scope>`) and service endpoints. Errors always have the shape of `Error`.",
  },
  components: {
    securitySchemes: {
      apiKey: { type: "http", scheme: "bearer", description: "lck_<selector>_<secret>, created with `npm run cli -- api-key create`" },
      session: { type: "apiKey", in: "cookie", name: "authjs.session-token" },
    },
    schemas: { Error: error, Config: config },
  },
  paths: {
    "/api/health": {
      get: {
        summary: "Health: database kind, reachability and migration state",
        security: [],
        responses: {
          "200": { description: "Healthy" },
          "503": { description: "Database unreachable or migrations pending/failed (same body, status degraded)" },
        },
      },
    },
    "/api/openapi.json": {
      get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1 document" } } },
    },
    "/api/auth/{nextauth}": {
      get: {
        summary: "next-auth endpoints used by the console's sign-in and sign-out (not for API clients)",
        security: [],
        parameters: [{ name: "nextauth", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "next-auth response" } },
      },
    },
    "/api/admin/configs": {
      get: {
        summary: "List configs with their stable version and active rollout",
        security: [{ apiKey: [] }, { session: [] }],
        responses: {
          "200": {
            description: "All configs, by key",
            content: {
              "application/json": {
                schema: { type: "object", properties: { configs: { type: "array", items: { $ref: "#/components/schemas/Config" } } } },
              },
            },
          },
          ...authErrors,
        },
      },
      post: {
        summary: "Create a config (needs configs:write)",
        security: [{ apiKey: [] }, { session: [] }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["key", "name"],
                properties: {
                  key: { type: "string", pattern: "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", example: "support-chat" },
                  name: { type: "string", maxLength: 100 },
                  description: { type: "string", maxLength: 2000 },
                },
              },
            },
          },
        },
        responses: {
          "201": { description: "Created", content: { "application/json": { schema: { $ref: "#/components/schemas/Config" } } } },
          "400": errorResponse("Invalid body; `details` names each field"),
          "409": errorResponse("A config with this key exists"),
          "413": errorResponse("Body over 1 MB"),
          "415": errorResponse("Body is not JSON"),
          ...authErrors,
        },
      },
    },
  },
} as const;
