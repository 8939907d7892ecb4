import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listKeys, POST as createKeyRoute } from "@/app/api/admin/api-keys/route";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { createConfig } from "@/lib/release/config-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// A client key limited to some configs: chosen at creation (admin API, CLI), listed as such (keys
// without a list say "all configs"), and enforced by every client endpoint. The endpoint-by-key
// matrix is in client-access.test.ts; here are the finer points.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

let db: TestDatabase;
let srv: ClientApiServer;
let admin: string;
const versions: Record<string, string> = {};
let chatKey: string;
let chatKeyId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  for (const key of ["chat", "other"]) {
    await createConfig(db.prisma, system, { key, name: key });
    versions[key] = (await createVersion(db.prisma, system, key, { label: "v1", model: "gpt-4o", systemPrompt: "Hi.", temperature: 0.5, maxTokens: 64 })).id;
  }
  admin = await adminKey(db.prisma);
  const created = await call(createKeyRoute, "POST", { auth: admin, body: { name: "chat app", scopes: ["route", "metrics"], configs: ["chat"] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  chatKey = `Bearer ${created.body.key as string}`;
  chatKeyId = created.body.apiKey.id;
  srv = await startClientApiServer(db);
});
afterAll(async () => {
  await srv?.close();
  await db?.close();
});

const event = (config: string, requestId: string) => ({ requestId, config, versionId: versions[config], isError: false, latencyMs: 100 });

describe("creating a limited key", () => {
  it("answers with the configs, and the list marks keys without a list as every config", async () => {
    const res = await call(listKeys, "GET", { auth: admin });
    const byId = Object.fromEntries((res.body.apiKeys as { id: string; name: string; configs: string[] | null }[]).map((k) => [k.name === "chat app" ? "limited" : k.id, k.configs]));
    expect(byId.limited).toEqual(["chat"]);
    expect(Object.entries(byId).filter(([name]) => name !== "limited").map(([, configs]) => configs)).toEqual([null]);
  });

  it.each([
    [{ configs: ["chat", "nope", "other", "gone"] }, "configs.1", "The `configs.1` field names no config (`nope`) (and 1 more problem)."],
    [{ configs: [] }, "configs", "The `configs` field must name at least one config; leave it out for a key that may use every config."],
    [{ configs: ["Not A Key"] }, "configs.0", "The `configs.0` field must be a config key like support-chat."],
    [{ configs: "chat" }, "configs", "The `configs` field must be an array, not a string."],
    [{ scopes: ["route", "admin"], configs: ["chat"] }, "configs", "The `configs` field must be left out for a key with the `admin` scope, which reaches every config through the admin API."],
  ])("refuses %j with 400 naming %s, and makes no key", async (body, path, message) => {
    const before = await db.prisma.apiKey.count();
    const res = await call(createKeyRoute, "POST", { auth: admin, body: { name: "x", scopes: ["route"], ...body } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
    expect(res.body.error.details[0].path).toBe(path);
    expect(await db.prisma.apiKey.count()).toBe(before);
  });
});

describe("a key limited to `chat`", () => {
  it("reports outcomes for its configs; a batch with another config's events is refused whole, naming each one", async () => {
    const before = await db.prisma.outcome.count();
    const refused = await send(srv.baseUrl, "/api/metrics", {
      auth: chatKey,
      body: { events: [event("chat", "m-1"), event("other", "m-2"), event("chat", "m-3"), event("other", "m-4")] },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect(refused.body.error.message).toBe(
      'The API key "chat app" may not report outcomes for config `other` (`events.1.config`) (and 1 more event); it is limited to `chat`. Nothing was stored.',
    );
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toEqual(["events.1.config", "events.3.config"]);
    expect(await db.prisma.outcome.count()).toBe(before);
    const accepted = await send(srv.baseUrl, "/api/metrics", { auth: chatKey, body: { events: [event("chat", "m-1"), event("chat", "m-3")] } });
    expect(accepted).toMatchObject({ status: 202, body: { accepted: 2 } });
  });

  it("refuses another config, and one that does not exist, with 403 before looking it up", async () => {
    for (const config of ["other", "no-such-config"]) {
      const route = await send(srv.baseUrl, "/api/route", { auth: chatKey, body: { config, userId: "u" } });
      expect(route.status).toBe(403);
      expect(route.body.error.message).toBe(`The API key "chat app" may not use config \`${config}\`; it is limited to \`chat\`.`);
      expect(route.body.error.details).toEqual([{ path: "config", message: `names a config this key may not use (\`${config}\`)` }]);
      expect((await send(srv.baseUrl, `/api/routing-state?config=${config}`, { auth: chatKey })).status).toBe(403);
    }
    expect((await send(srv.baseUrl, "/api/routing-state?config=chat", { auth: chatKey })).status).toBe(200);
  });

  it("rates only its configs' outcomes: another config named is 403, and without a config the others' are not found", async () => {
    const everyConfig = await adminKey(db.prisma, ["metrics"]);
    const stored = await send(srv.baseUrl, "/api/metrics", { auth: everyConfig, body: { events: [event("other", "f-other"), event("other", "f-both"), event("chat", "f-both")] } });
    expect(stored.status).toBe(202);

    const named = await send(srv.baseUrl, "/api/feedback", { auth: chatKey, body: { requestId: "f-other", config: "other", rating: 1 } });
    expect(named.status).toBe(403);
    expect(named.body.error.message).toContain("may not use config `other`");
    const unnamed = await send(srv.baseUrl, "/api/feedback", { auth: chatKey, body: { requestId: "f-other", rating: 1 } });
    expect(unnamed.status).toBe(404);
    // Reported for both configs: an unlimited key must say which (409); this one can only mean its own.
    expect((await send(srv.baseUrl, "/api/feedback", { auth: everyConfig, body: { requestId: "f-both", rating: 2 } })).status).toBe(409);
    const own = await send(srv.baseUrl, "/api/feedback", { auth: chatKey, body: { requestId: "f-both", rating: 5 } });
    expect(own).toMatchObject({ status: 202, body: { config: "chat", rating: 5 } });
    const ratings = await db.prisma.outcome.findMany({ where: { requestId: { in: ["f-other", "f-both"] } }, select: { requestId: true, rating: true } });
    expect(ratings.filter((r) => r.rating !== null)).toEqual([{ requestId: "f-both", rating: 5 }]);
  });

  it("keeps its list in the audit event of its creation", async () => {
    const created = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "api_key.create", entityId: chatKeyId } });
    expect(created.after).toMatchObject({ configs: ["chat"], scopes: ["route", "metrics"] });
  });
});

describe("the CLI", () => {
  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/main.ts", ...args], {
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it("creates a key limited with --configs, refuses an unknown config, and lists each key's configs and maker", () => {
    const created = cli("api-key", "create", "--name", "cli-limited", "--scopes", "route,metrics", "--configs", "chat, other");
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created API key "cli-limited"');
    expect(created.stdout).toContain("for chat, other.");
    const refused = cli("api-key", "create", "--name", "cli-bad", "--scopes", "route", "--configs", "chat,nope");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("configs.1: names no config (`nope`)");

    const list = cli("api-key", "list");
    expect(list.code, list.stderr).toBe(0);
    const line = (name: string) => list.stdout.split("\n").find((l) => l.split("\t")[1] === name) ?? "";
    expect(line("cli-limited").split("\t").slice(2, 4)).toEqual(["route,metrics", "chat, other"]);
    expect(line("cli-limited")).toMatch(/\tcreated \S+ by CLI\t/);
    expect(line("chat app").split("\t")[3]).toBe("chat");
    expect(line("chat app")).toMatch(/ by key:key-[0-9a-f]+\t/);
    expect(list.stdout.split("\n").filter((l) => l.split("\t")[3] === "all configs").length).toBeGreaterThanOrEqual(2);
  });
});
