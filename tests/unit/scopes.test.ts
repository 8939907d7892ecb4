import { describe, expect, it } from "vitest";
import { auditVisibilityFor, hasScope, ROLES, SCOPES, scopesForApiKey, scopesForRole } from "@/lib/auth/scopes";

describe("roles and scopes", () => {
  it("gives each role exactly its permissions", () => {
    expect(scopesForRole("viewer")).toEqual(["configs:read"]);
    expect(scopesForRole("editor")).toEqual(["configs:read", "configs:write", "rollouts:start", "playground:run"]);
    expect(scopesForRole("operator")).toEqual(["configs:read", "rollouts:start", "rollouts:operate", "alerts:manage", "playground:run"]);
    expect(scopesForRole("admin")).toEqual(SCOPES);
  });

  it("lets every role read and only admins manage users and keys", () => {
    for (const role of ROLES) {
      expect(hasScope(scopesForRole(role), "configs:read")).toBe(true);
      expect(hasScope(scopesForRole(role), "users:manage")).toBe(role === "admin");
      expect(hasScope(scopesForRole(role), "api-keys:manage")).toBe(role === "admin");
    }
  });

  it("lets editors and up, not viewers, run the playground", () => {
    for (const role of ROLES) expect(hasScope(scopesForRole(role), "playground:run"), role).toBe(role !== "viewer");
  });

  it("keeps viewers and editors away from promote and rollback", () => {
    expect(hasScope(scopesForRole("viewer"), "rollouts:operate")).toBe(false);
    expect(hasScope(scopesForRole("editor"), "rollouts:operate")).toBe(false);
    expect(hasScope(scopesForRole("operator"), "rollouts:operate")).toBe(true);
  });

  it("grants the admin API only to keys with the admin scope", () => {
    expect(scopesForApiKey(["admin"])).toEqual(SCOPES);
    expect(scopesForApiKey(["route", "metrics"])).toEqual([]);
  });

  it("shows audit events about users, keys and channels only to roles that may list them", () => {
    expect(auditVisibilityFor(scopesForRole("viewer"))).toEqual({ entityTypes: ["config", "version", "rollout", "score", "evaluator", "model_price"] });
    expect(auditVisibilityFor(scopesForRole("editor"))).toEqual({ entityTypes: ["config", "version", "rollout", "score", "evaluator", "model_price"] });
    expect(auditVisibilityFor(scopesForRole("operator"))).toEqual({ entityTypes: ["config", "version", "rollout", "score", "evaluator", "alert_channel", "model_price"] });
    expect(auditVisibilityFor(scopesForRole("admin"))).toBe("all");
    expect(auditVisibilityFor(scopesForApiKey(["admin"]))).toBe("all");
  });
});
