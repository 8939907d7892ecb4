import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listApiKeys } from "@/lib/auth/api-key-service";
import type { Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { databaseBefore } from "../helpers/migrate-before";

// The migration that gave keys their owner and config list, on a database with history from
// before it: earlier audit events holding whole webhook URLs are masked in place (the append-only
// trigger is back on afterwards, and the masking is itself an event), and keys whose user had
// already lost the right to make keys are revoked with an audit event each, as a demotion now does.

const MIGRATION = "20261206235339_api_key_owner_configs_audit_masking";
const SLACK_TOKEN = "migrationSlackToken0123456789";
const SLACK_TOKEN_2 = "migrationSlackTokenTwo9876543";
const DING_TOKEN = "migrationDingToken0123456789a";

let db: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  // The migrations before this one, then the history, then the rest.
  ({ db, drop } = await databaseBefore(MIGRATION));
  await seedHistory();
  expect(await applyMigrations(db)).toContain(MIGRATION);
});
afterAll(async () => {
  await drop?.();
});

async function seedHistory() {
  await db.query(
    `INSERT INTO users (id, email, role, password_hash, updated_at, disabled_at) VALUES
      ('usr_admin', 'admin@example.com', 'admin', 'x', now(), NULL),
      ('usr_demoted', 'demoted@example.com', 'operator', 'x', now(), NULL),
      ('usr_disabled', 'disabled@example.com', 'admin', 'x', now(), now())`,
    [],
  );
  const keys: [id: string, scopes: string, createdBy: string | null, revoked: boolean][] = [
    ["key_admins", "{admin}", "usr_admin", false],
    ["key_demoteds", "{admin}", "usr_demoted", false],
    ["key_made_with_demoteds", "{admin}", null, false],
    ["key_disableds", "{route,metrics}", "usr_disabled", false],
    ["key_cli", "{route}", null, false],
    ["key_unlogged", "{route}", null, false],
    ["key_revoked_before", "{admin}", "usr_demoted", true],
  ];
  for (const [id, scopes, createdBy, revoked] of keys) {
    await db.query(
      `INSERT INTO api_keys (id, name, selector, secret_hash, scopes, created_by_id, revoked_at)
       VALUES ($1, $1, $2, 'hash', $3::"ApiKeyScope"[], $4, CASE WHEN $5 THEN now() - interval '1 day' END)`,
      [id, randomBytes(6).toString("hex"), scopes, createdBy, revoked],
    );
  }
  const events: [actorType: string, actorId: string | null, label: string, action: string, entityType: string, entityId: string, before: unknown, after: unknown][] = [
    ["user", "usr_admin", "admin@example.com", "api_key.create", "api_key", "key_admins", null, { id: "key_admins" }],
    ["user", "usr_demoted", "demoted@example.com", "api_key.create", "api_key", "key_demoteds", null, { id: "key_demoteds" }],
    ["api_key", "key_demoteds", "key:key_demoteds", "api_key.create", "api_key", "key_made_with_demoteds", null, { id: "key_made_with_demoteds" }],
    ["user", "usr_disabled", "disabled@example.com", "api_key.create", "api_key", "key_disableds", null, { id: "key_disableds" }],
    ["system", null, "cli", "api_key.create", "api_key", "key_cli", null, { id: "key_cli" }],
    ["user", "usr_admin", "admin@example.com", "config.create", "config", "cfg_1", null, { key: "chat", description: "see https://docs.example.com/chat?x=1" }],
    ["user", "usr_admin", "admin@example.com", "alert_channel.create", "alert_channel", "ach_1", null,
      { id: "ach_1", kind: "slack", url: `https://hooks.slack.com/services/T0/B0/${SLACK_TOKEN}`, hasSecret: false }],
    ["user", "usr_admin", "admin@example.com", "alert_channel.update", "alert_channel", "ach_1",
      { id: "ach_1", kind: "slack", url: `https://hooks.slack.com/services/T0/B0/${SLACK_TOKEN}` },
      { id: "ach_1", kind: "slack", url: `https://hooks.slack.com/services/T0/B0/${SLACK_TOKEN_2}` }],
    ["user", "usr_admin", "admin@example.com", "alert_channel.create", "alert_channel", "ach_2", null,
      { id: "ach_2", kind: "dingtalk", url: `https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}`, hasSecret: true }],
  ];
  for (const [actorType, actorId, label, action, entityType, entityId, before, after] of events) {
    await db.query(
      `INSERT INTO audit_events (actor_type, actor_id, actor_label, action, entity_type, entity_id, before, after)
       VALUES ($1::"ActorType", $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)`,
      [actorType, actorId, label, action, entityType, entityId, before === null ? null : JSON.stringify(before), JSON.stringify(after)],
    );
  }
}

describe(`migration ${MIGRATION}`, () => {
  it("masks the path and query of every webhook URL earlier audit events held, and records that it did", async () => {
    const [{ stored }] = await db.query<{ stored: string }>(`SELECT string_agg(a::text, E'\\n') AS stored FROM audit_events a`, []);
    expect([SLACK_TOKEN, SLACK_TOKEN_2, DING_TOKEN].filter((token) => stored.includes(token))).toEqual([]);
    const channelEvents = await db.query<{ before: { url: string } | null; after: { url: string } }>(
      `SELECT before, after FROM audit_events WHERE entity_type = 'alert_channel' ORDER BY id`,
      [],
    );
    expect(channelEvents.map((e) => [e.before?.url ?? null, e.after.url])).toEqual([
      [null, "https://hooks.slack.com/***"],
      ["https://hooks.slack.com/***", "https://hooks.slack.com/***"],
      [null, "https://oapi.dingtalk.com/***"],
    ]);
    // Nothing else changed: a URL inside other text is no credential field.
    const [config] = await db.query<{ after: { description: string } }>(`SELECT after FROM audit_events WHERE action = 'config.create'`, []);
    expect(config.after.description).toBe("see https://docs.example.com/chat?x=1");
    const masking = await db.query<{ actor_label: string; reason: string }>(`SELECT actor_label, reason FROM audit_events WHERE action = 'audit.mask_secrets'`, []);
    expect(masking).toHaveLength(1);
    expect(masking[0].actor_label).toBe("migration");
    expect(masking[0].reason).toMatch(/^Masked the webhook URLs \(path and query\) of 3 earlier audit event\(s\): ids \d+ to \d+\.$/);
  });

  it("leaves the audit log append-only: UPDATE and DELETE are refused again", async () => {
    await expect(db.query(`UPDATE audit_events SET reason = 'rewritten'`, [])).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(db.query(`DELETE FROM audit_events`, [])).rejects.toThrow(/append-only \(DELETE refused\)/);
  });

  it("revokes the keys of users who are no longer enabled admins, with an audit event each, and keeps the rest", async () => {
    const keys = Object.fromEntries((await listApiKeys(db.prisma)).map((k) => [k.id, k]));
    const state = (id: string) => (keys[id].revokedAt ? "revoked" : "active");
    expect(Object.fromEntries(Object.keys(keys).sort().map((id) => [id, state(id)]))).toEqual({
      key_admins: "active",
      key_cli: "active",
      key_demoteds: "revoked",
      key_disableds: "revoked",
      key_made_with_demoteds: "revoked", // made with the demoted user's key: it rests on that user
      key_revoked_before: "revoked",
      key_unlogged: "active",
    });
    expect(keys.key_made_with_demoteds.createdBy).toEqual({ userId: "usr_demoted", label: "key:key_demoteds" });
    expect(keys.key_admins.createdBy).toEqual({ userId: "usr_admin", label: "admin@example.com" });
    expect(keys.key_cli.createdBy).toEqual({ userId: null, label: "cli" });
    expect(keys.key_unlogged.createdBy).toEqual({ userId: null, label: "unknown" });
    expect(Object.values(keys).every((k) => k.configs === null)).toBe(true);

    const revocations = await db.query<{ entity_id: string; actor_label: string; reason: string; before: { revokedAt: null }; after: { revokedAt: string } }>(
      `SELECT entity_id, actor_label, reason, before, after FROM audit_events WHERE action = 'api_key.revoke' ORDER BY entity_id`,
      [],
    );
    expect(revocations.map((r) => [r.entity_id, r.actor_label, r.reason])).toEqual([
      ["key_demoteds", "migration", "Its creator demoted@example.com is now an operator and may no longer make API keys."],
      ["key_disableds", "migration", "Its creator disabled@example.com is disabled and may no longer make API keys."],
      ["key_made_with_demoteds", "migration", "Its creator demoted@example.com is now an operator and may no longer make API keys."],
    ]);
    for (const r of revocations) {
      expect(r.before.revokedAt).toBeNull();
      expect(new Date(r.after.revokedAt).getTime()).toBe(keys[r.entity_id].revokedAt!.getTime());
    }
  });
});
