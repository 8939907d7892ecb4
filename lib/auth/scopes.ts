// Roles map to scopes here and only here. The same `hasScope` backs the server checks and the
// hints the console shows (e.g. a disabled promote button).

export const ROLES = ["viewer", "editor", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  "configs:read", // configs, versions, rollouts, reports, audit
  "configs:write", // create configs and versions; define, change and delete their scores and evaluators
  "rollouts:start", // start a canary
  "rollouts:operate", // pause, resume, advance, promote, rollback, abort
  "api-keys:manage",
  "users:manage",
  "alerts:manage",
  "prices:manage", // the model price table
  "providers:manage", // provider connections (their keys are the product's to spend)
  "playground:run", // run versions side by side through a connection (spends its tokens), list the runs
] as const;
export type Scope = (typeof SCOPES)[number];

const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: ["configs:read"],
  editor: ["configs:read", "configs:write", "rollouts:start", "playground:run"],
  operator: ["configs:read", "rollouts:start", "rollouts:operate", "alerts:manage", "playground:run"],
  admin: SCOPES,
};

/**
 * Scopes an API key can carry: the client API (`route`, `metrics`), the OpenAI-compatible gateway
 * (`gateway`: /v1/chat/completions and /v1/models, which route, call and record by themselves) or
 * the whole admin API.
 */
export const API_KEY_SCOPES = ["route", "metrics", "gateway", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function scopesForRole(role: Role): readonly Scope[] {
  return ROLE_SCOPES[role];
}

export function scopesForApiKey(keyScopes: readonly ApiKeyScope[]): readonly Scope[] {
  return keyScopes.includes("admin") ? SCOPES : [];
}

export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes(needed);
}

/**
 * The audit log's entity types and the permission that lists them: an event about a user, a key,
 * an alert channel or a provider connection is shown only to whoever may see that list. A type
 * missing here is shown to those holding every permission only.
 */
const AUDIT_ENTITY_SCOPES: Record<string, Scope> = {
  config: "configs:read",
  version: "configs:read",
  rollout: "configs:read",
  score: "configs:read",
  evaluator: "configs:read",
  user: "users:manage",
  api_key: "api-keys:manage",
  alert_channel: "alerts:manage",
  model_price: "configs:read",
  provider: "providers:manage",
};

/** Which audit events these permissions may read (lib/audit/repo.ts AuditVisibility). */
export function auditVisibilityFor(granted: readonly Scope[]): "all" | { entityTypes: string[] } {
  if (SCOPES.every((scope) => granted.includes(scope))) return "all";
  return { entityTypes: Object.keys(AUDIT_ENTITY_SCOPES).filter((type) => granted.includes(AUDIT_ENTITY_SCOPES[type])) };
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
