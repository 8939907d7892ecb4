// Roles map to scopes here and only here. The same `hasScope` backs the server checks and the
// hints the console shows (e.g. a disabled promote button).

export const ROLES = ["viewer", "editor", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  "configs:read", // configs, versions, rollouts, reports, audit
  "configs:write", // create configs and versions
  "rollouts:start", // start a canary
  "rollouts:operate", // pause, resume, advance, promote, rollback, abort
  "api-keys:manage",
  "users:manage",
  "alerts:manage",
] as const;
export type Scope = (typeof SCOPES)[number];

const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: ["configs:read"],
  editor: ["configs:read", "configs:write", "rollouts:start"],
  operator: ["configs:read", "rollouts:start", "rollouts:operate", "alerts:manage"],
  admin: SCOPES,
};

/** Scopes an API key can carry: the client API (`route`, `metrics`) or the whole admin API. */
export const API_KEY_SCOPES = ["route", "metrics", "admin"] as const;
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

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
