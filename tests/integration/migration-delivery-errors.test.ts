import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAlertDeliveries } from "@/lib/alerts/channel-service";
import type { Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { databaseBefore } from "../helpers/migrate-before";

// Deliveries from before the outbound policy kept the first characters of the receiver's answer in
// last_error. The migration leaves only the fixed class each stands for, in the table itself.

const MIGRATION = "20261207013000_alert_delivery_error_classes";
const RECEIVER_WORDS = "internal-admin-panel secret=s3cr3t";

let db: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ db, drop } = await databaseBefore(MIGRATION));
  await db.query(`INSERT INTO alert_channels (id, name, kind, url, updated_at) VALUES ('chn_old', 'old', 'webhook', 'https://hooks.example.com/x', now())`, []);
  const rows: [string, string | null][] = [
    ["dlv_http", `HTTP 500: ${RECEIVER_WORDS}`],
    ["dlv_answered", `answered errcode 310000: ${RECEIVER_WORDS}`],
    ["dlv_timeout", "The operation was aborted due to timeout"],
    ["dlv_refused", `connect ECONNREFUSED 10.0.0.5:8080 ${RECEIVER_WORDS}`],
    ["dlv_class", "muted"],
    ["dlv_none", null],
  ];
  for (const [id, lastError] of rows) {
    await db.query(`INSERT INTO alert_deliveries (id, channel_id, event, payload, status, last_error) VALUES ($1, 'chn_old', 'test', '{}', 'failed', $2)`, [id, lastError]);
  }
  expect(await applyMigrations(db)).toContain(MIGRATION);
});
afterAll(async () => {
  await drop?.();
});

describe("the delivery-error migration", () => {
  it("keeps only the fixed class of each earlier error, and nothing a receiver said", async () => {
    const stored = await db.query<{ id: string; last_error: string | null }>(`SELECT id, last_error FROM alert_deliveries ORDER BY id`, []);
    expect(Object.fromEntries(stored.map((r) => [r.id, r.last_error]))).toEqual({
      dlv_answered: "rejected",
      dlv_class: "muted",
      dlv_http: "http_status",
      dlv_none: null,
      dlv_refused: "connection_failed",
      dlv_timeout: "timeout",
    });
    // The API reads them as stored (it no longer translates free text).
    const { deliveries } = await listAlertDeliveries(db.prisma, "chn_old");
    expect(deliveries.map((d) => d.lastError).sort()).toEqual(["connection_failed", "http_status", "muted", "rejected", "timeout", null].sort());
  });
});
