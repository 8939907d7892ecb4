import { z } from "zod";
import { parseApiKey } from "../auth/api-keys";
import { AppError, ConflictError } from "../errors";
import { VersionDto } from "../release/version-schemas";
import { DemoRollout, type ActorRef, type DemoAdmin } from "./demo-admin";
import { DEMO_ACTOR } from "./local-admin";

// The demo's admin operations through the admin API of a server started elsewhere
// (`npm run demo -- --url … --key …`), with an admin API key. The server's answers are parsed
// with its own response schemas (dates revived where the demo keeps them), and its errors come
// back as the same errors the services throw, so the seed handles a 409 alike either way.

export interface RemoteOptions {
  /** The server's base URL, e.g. http://localhost:3000. */
  url: string;
  /** An API key with the `admin` scope. */
  key: string;
  fetch?: typeof fetch;
}

const Listed = <T extends z.ZodType>(field: string, item: T) => z.object({ [field]: z.array(item) });
const KeyItem = z.object({ key: z.string() });
const LabelItem = z.object({ label: z.string() });
const AuditItem = z.object({ actorType: z.string(), actorId: z.string().nullable(), actorLabel: z.string(), at: z.string() });
const ApiKeyItem = z.object({ id: z.string(), name: z.string(), selector: z.string(), scopes: z.array(z.string()), revokedAt: z.string().nullable() });
const Created = z.object({ key: z.string(), apiKey: z.object({ id: z.string() }) });
const Report = z.object({ recommendation: z.object({ reason: z.string() }) });
const VersionJson = z.looseObject({ createdAt: z.string() });

/** A version as the API answers it, with its date a Date again (the canaries are written for VersionDto). */
const version = (json: unknown) => {
  const wire = VersionJson.parse(json);
  return VersionDto.parse({ ...wire, createdAt: new Date(wire.createdAt) });
};

export async function remoteDemoAdmin(options: RemoteOptions): Promise<DemoAdmin> {
  const base = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;

  async function call<T>(schema: z.ZodType<T>, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.key}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`${base} could not be reached (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's HTML error page, say): the status still says what happened.
      if (response.ok) throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON.`);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } } | null)?.error;
      const message = error?.message ?? `${method} ${path} answered ${response.status}.`;
      if (response.status === 409) throw new ConflictError(message);
      throw new AppError(response.status, error?.code ?? "http_error", `${method} ${path}: ${message}`, error?.details);
    }
    return schema.parse(json);
  }
  const path = (key: string) => `/api/admin/configs/${encodeURIComponent(key)}`;

  // Who the key is, as its audit events name it: found by the key's selector in the key list
  // (which needs the admin scope, as everything the demo does).
  const selector = parseApiKey(options.key)?.selector;
  if (!selector) throw new Error("--key: this is not an LLM Canary API key (lck_<selector>_<secret>).");
  const own = (await call(Listed("apiKeys", ApiKeyItem), "GET", "/api/admin/api-keys")).apiKeys.find((k) => k.selector === selector);
  if (!own || own.revokedAt !== null || !own.scopes.includes("admin")) throw new Error("--key: the server does not know this key as an active admin key.");
  const self: ActorRef = { type: "api_key", id: own.id, label: `key:${own.name}` };

  return {
    owners: [DEMO_ACTOR, self],
    configKeys: async () => (await call(Listed("configs", KeyItem), "GET", "/api/admin/configs")).configs.map((c) => c.key),
    async configCreation(key) {
      const query = new URLSearchParams({ config: key, action: "config.create", limit: "1" });
      const [created] = (await call(Listed("events", AuditItem), "GET", `/api/admin/audit?${query}`)).events;
      return created ? { type: created.actorType, id: created.actorId, label: created.actorLabel, at: new Date(created.at) } : null;
    },
    createConfig: async (input) => void (await call(z.unknown(), "POST", "/api/admin/configs", input)),
    async config(key) {
      const detail = await call(z.object({ stableVersion: z.unknown(), activeRollout: z.unknown() }), "GET", path(key));
      return {
        stableVersion: detail.stableVersion === null ? null : version(detail.stableVersion),
        activeRollout: detail.activeRollout === null ? null : DemoRollout.parse(detail.activeRollout),
      };
    },
    createVersion: (key, input) => call(z.object({ id: z.string() }), "POST", `${path(key)}/versions`, input),
    versionLabels: async (key) => (await call(Listed("versions", LabelItem), "GET", `${path(key)}/versions`)).versions.map((v) => v.label),
    rolloutCount: async (key) => (await call(Listed("rollouts", z.unknown()), "GET", `${path(key)}/rollouts`)).rollouts.length,
    scoreKeys: async (key) => (await call(Listed("scores", KeyItem), "GET", `${path(key)}/scores`)).scores.map((s) => s.key),
    createScore: async (key, input) => void (await call(z.unknown(), "POST", `${path(key)}/scores`, input)),
    startRollout: (key, input) => call(DemoRollout, "POST", `${path(key)}/rollouts`, input),
    async createClientKey(name) {
      const { key, apiKey } = await call(Created, "POST", "/api/admin/api-keys", { name, scopes: ["route", "metrics"] });
      return { key, id: apiKey.id };
    },
    revokeKey: async (id) => void (await call(z.unknown(), "POST", `/api/admin/api-keys/${encodeURIComponent(id)}/revoke`)),
    rollout: (id) => call(DemoRollout, "GET", `/api/admin/rollouts/${encodeURIComponent(id)}`),
    recommendation: async (id) => (await call(Report, "GET", `/api/admin/rollouts/${encodeURIComponent(id)}/report`)).recommendation.reason,
  };
}
