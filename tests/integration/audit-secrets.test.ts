import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATCH as updateChannel } from "@/app/api/admin/alert-channels/[id]/route";
import { POST as createChannel, GET as listChannels } from "@/app/api/admin/alert-channels/route";
import { GET as facetsGet } from "@/app/api/admin/audit/facets/route";
import { GET as auditGet } from "@/app/api/admin/audit/route";
import { POST as createConfig } from "@/app/api/admin/configs/route";
import { PATCH as updateUser } from "@/app/api/admin/users/[id]/route";
import type { Actor } from "@/lib/auth/actor";
import { appendAuditEvent } from "@/lib/audit/repo";
import { ROLES, type Role } from "@/lib/auth/scopes";
import { setDatabase } from "@/lib/db/client";
import { adminKey, call, sessionFor } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The audit log holds no secret (a Slack or DingTalk webhook URL's path or query is its credential,
// and a webhook's signing secret), and each role sees only the events about what it may list:
// users and API keys for admins, alert channels for operators and admins. The admin API, which the
// console reads, and its facets (the console's filter choices) agree.

const SLACK_TOKEN = "slackPathToken0123456789abcdef";
const SLACK_TOKEN_2 = "slackPathTokenRotated98765zyx";
const DING_TOKEN = "dingAccessToken0123456789abcd";
const WEBHOOK_TOKEN = "webhookPathToken0123456789abc";
const USER_INFO = "basicUser:basicPassword0123";
const SIGNING_SECRET = "signing-secret-0123456789";
const SECRETS = [SLACK_TOKEN, SLACK_TOKEN_2, DING_TOKEN, WEBHOOK_TOKEN, USER_INFO, SIGNING_SECRET];

let db: TestDatabase;
let admin: string;
const sessions = {} as Record<Role, string>;
let viewerUserId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  for (const role of ROLES) {
    const session = await sessionFor(db.prisma, role);
    sessions[role] = session.cookie;
    if (role === "viewer") viewerUserId = session.userId;
  }
  admin = await adminKey(db.prisma); // an api_key.create event
  // One event about each kind of thing: a config, channels, a user change, and an unknown kind.
  expect((await call(createConfig, "POST", { auth: admin, body: { key: "audited", name: "Audited" } })).status).toBe(201);
  const slack = await call(createChannel, "POST", {
    auth: admin,
    body: { name: "ops slack", kind: "slack", url: `http://127.0.0.1:9/services/T0AAA/B0BBB/${SLACK_TOKEN}` },
  });
  expect(slack.status, JSON.stringify(slack.body)).toBe(201);
  const ding = await call(createChannel, "POST", {
    auth: admin,
    body: { name: "ops dingtalk", kind: "dingtalk", url: `http://127.0.0.1:9/robot/send?access_token=${DING_TOKEN}`, secret: SIGNING_SECRET },
  });
  expect(ding.status, JSON.stringify(ding.body)).toBe(201);
  const hook = await call(createChannel, "POST", {
    auth: admin,
    body: { name: "ops hook", kind: "webhook", url: `http://${USER_INFO}@127.0.0.1:9/hooks/${WEBHOOK_TOKEN}#frag`, secret: SIGNING_SECRET },
  });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  const rotated = await call(updateChannel, "PATCH", {
    auth: admin,
    params: { id: slack.body.id },
    body: { url: `http://127.0.0.1:9/services/T0AAA/B0BBB/${SLACK_TOKEN_2}` },
  });
  expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
  expect((await call(updateUser, "PATCH", { auth: admin, params: { id: viewerUserId }, body: { name: "Vera Viewer" } })).status).toBe(200);
  const system: Actor = { type: "system", id: null, label: "maintenance", scopes: [] };
  await db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor: system, action: "audit.note", entityType: "audit", entityId: "audit_events" }));
});
afterAll(async () => {
  await db?.close();
});

interface Page {
  events: { action: string; entityType: string; before: unknown; after: unknown }[];
  nextCursor: string | null;
}

async function readLog(credentials: { cookie?: string; auth?: string }, query: Record<string, string> = {}) {
  const res = await call(auditGet, "GET", { ...credentials, query: { limit: "200", ...query } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Page;
}

describe("secrets in audit events", () => {
  it("stores no webhook URL path, query, user info or signing secret: only the scheme and host stay", async () => {
    const rows = await db.prisma.auditEvent.findMany({ where: { entityType: "alert_channel" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(["alert_channel.create", "alert_channel.create", "alert_channel.create", "alert_channel.update"]);
    const [{ stored }] = await db.prisma.$queryRaw<{ stored: string }[]>`SELECT string_agg(a::text, E'\n') AS stored FROM audit_events a`;
    expect(SECRETS.filter((secret) => stored.includes(secret))).toEqual([]);
    for (const row of rows) {
      expect((row.after as { url: string }).url).toBe("http://127.0.0.1:9/***");
    }
    expect((rows[3].before as { url: string }).url).toBe("http://127.0.0.1:9/***");
    // Whether a channel has a signing secret is not a secret.
    expect(rows.map((r) => (r.after as { hasSecret: boolean }).hasSecret)).toEqual([false, true, true, false]);
  });

  it("answers no secret through the admin API either, to anyone", async () => {
    for (const credentials of [{ auth: admin }, { cookie: sessions.admin }, { cookie: sessions.operator }]) {
      const body = JSON.stringify(await readLog(credentials, { action: "alert_channel.*" }));
      expect(body).toContain("http://127.0.0.1:9/***");
      expect(SECRETS.filter((secret) => body.includes(secret))).toEqual([]);
    }
  });
});

describe("who sees which events", () => {
  const KINDS = {
    viewer: ["config"],
    editor: ["config"],
    operator: ["alert_channel", "config"],
    admin: ["alert_channel", "api_key", "audit", "config", "user"],
  } satisfies Record<Role, string[]>;

  it.each(ROLES)("the %s role sees only events about what its role may list, and the facets agree", async (role) => {
    const page = await readLog({ cookie: sessions[role] });
    expect(page.nextCursor).toBeNull();
    expect([...new Set(page.events.map((e) => e.entityType))].sort()).toEqual(KINDS[role]);
    const facets = await call(facetsGet, "GET", { cookie: sessions[role] });
    expect(facets.status).toBe(200);
    expect(facets.body.actions).toEqual([...new Set(page.events.map((e) => e.action))].sort());
  });

  it("an admin API key sees every event, as an admin does", async () => {
    const page = await readLog({ auth: admin });
    expect(page.events.length).toBe(await db.prisma.auditEvent.count());
  });

  it("filters cannot reach hidden events: a viewer asking for user.* or api_key.* gets nothing", async () => {
    for (const action of ["user.*", "user.update", "api_key.*", "alert_channel.create"]) {
      expect((await readLog({ cookie: sessions.viewer }, { action })).events, action).toEqual([]);
    }
    expect((await readLog({ cookie: sessions.operator }, { action: "user.*" })).events).toEqual([]);
    expect((await readLog({ cookie: sessions.admin }, { action: "user.*" })).events.length).toBeGreaterThan(0);
  });
});

describe("secrets in alert channel answers", () => {
  it("shows a channel's URL by its scheme and host only, in every answer", async () => {
    const listed = await call(listChannels, "GET", { auth: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.channels.map((c: { url: string }) => c.url)).toEqual(["http://127.0.0.1:9/***", "http://127.0.0.1:9/***", "http://127.0.0.1:9/***"]);
    expect(SECRETS.filter((secret) => JSON.stringify(listed.body).includes(secret))).toEqual([]);
    const renamed = await call(updateChannel, "PATCH", { auth: admin, params: { id: listed.body.channels[0].id }, body: { name: "ops slack, renamed" } });
    expect(renamed.body.url).toBe("http://127.0.0.1:9/***");
    // Leaving the URL out of a change keeps the stored one whole.
    const stored = await db.prisma.alertChannel.findUniqueOrThrow({ where: { id: listed.body.channels[0].id } });
    expect(stored.url).toBe(`http://127.0.0.1:9/services/T0AAA/B0BBB/${SLACK_TOKEN_2}`);
  });
});
