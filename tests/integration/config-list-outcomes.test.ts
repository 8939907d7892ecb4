import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as configRollback } from "@/app/api/admin/configs/[key]/rollback/route";
import { POST as startRollout } from "@/app/api/admin/configs/[key]/rollouts/route";
import { POST as createVersion } from "@/app/api/admin/configs/[key]/versions/route";
import { GET as listConfigsGet, POST as createConfig } from "@/app/api/admin/configs/route";
import { POST as rolloutAction } from "@/app/api/admin/rollouts/[id]/[action]/route";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import { CONTROLLER } from "@/lib/controller/actor";
import { setDatabase } from "@/lib/db/client";
import type { Db } from "@/lib/db/types";
import { listConfigs } from "@/lib/release/config-service";
import { call, sessionFor } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The configs list answers each config's last ended rollout — promoted, rolled back or aborted, by
// the controller or by whom, why and when — which the dashboard shows until the next one starts.

let db: TestDatabase;
let operator: string; // an admin's session: creates, starts and acts
let operatorEmail: string;

interface Listed {
  key: string;
  activeRollout: { id: string } | null;
  lastEndedRollout: {
    id: string;
    status: string;
    canaryVersion: { label: string };
    endedAt: string | null;
    endReason: string | null;
    endedBy: { type: string; label: string } | null;
  } | null;
}

async function ok(res: Promise<{ status: number; body: unknown }>, status = 201) {
  const answer = await res;
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as { id: string };
}

/** A config with v1 (stable) and v2, and a running canary of v2 unless `rollout` is false. */
async function seed(key: string, rollout = true): Promise<{ rolloutId: string; v2: string }> {
  await ok(call(createConfig, "POST", { cookie: operator, body: { key, name: key } }));
  const version = (label: string, temperature: number) => ({ label, model: "gpt-4o", systemPrompt: "Be brief.", temperature, maxTokens: 256 });
  await ok(call(createVersion, "POST", { cookie: operator, params: { key }, body: version("v1", 0.7) }));
  const v2 = (await ok(call(createVersion, "POST", { cookie: operator, params: { key }, body: version("v2", 0.4) }))).id;
  if (!rollout) return { rolloutId: "", v2 };
  const rolloutId = (await ok(call(startRollout, "POST", { cookie: operator, params: { key }, body: { canaryVersionId: v2 } }))).id;
  return { rolloutId, v2 };
}

const act = (id: string, action: string, body: unknown = {}) => ok(call(rolloutAction, "POST", { cookie: operator, params: { id, action }, body }), 200);

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  const session = await sessionFor(db.prisma, "admin");
  operator = session.cookie;
  operatorEmail = (await db.prisma.user.findUniqueOrThrow({ where: { id: session.userId } })).email;

  // Rolled back by the controller, with its reason.
  const auto = await seed("auto-rolled-back");
  await actOnRollout(db.prisma, CONTROLLER, auto.rolloutId, "rollback", { reason: "Automatic rollback: error rate 9.1 % vs 1.0 % on stable" });
  // Promoted by a person.
  await act((await seed("promoted")).rolloutId, "promote");
  // Rolled back by a person, then a new rollout started.
  const again = await seed("rolled-back-then-restarted");
  await act(again.rolloutId, "rollback", { reason: "answers cite the wrong articles" });
  await ok(call(startRollout, "POST", { cookie: operator, params: { key: "rolled-back-then-restarted" }, body: { canaryVersionId: again.v2 } }));
  // Promoted, then the promotion reverted through the config's rollback.
  await act((await seed("reverted")).rolloutId, "promote");
  await ok(call(configRollback, "POST", { cookie: operator, params: { key: "reverted" }, body: { reason: "complaints up" } }), 200);
  // Never rolled out; and one still running.
  await seed("never", false);
  await seed("running");
});
afterAll(async () => {
  await db?.close();
});

async function list(): Promise<Map<string, Listed>> {
  const res = await call(listConfigsGet, "GET", { cookie: operator });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new Map((res.body.configs as Listed[]).map((c) => [c.key, c]));
}

describe("GET /api/admin/configs: the last ended rollout", () => {
  it("says the controller rolled it back, why and when", async () => {
    const config = (await list()).get("auto-rolled-back")!;
    expect(config.activeRollout).toBeNull();
    expect(config.lastEndedRollout).toMatchObject({
      status: "rolled_back",
      canaryVersion: { label: "v2" },
      endReason: "Automatic rollback: error rate 9.1 % vs 1.0 % on stable",
      endedBy: { type: "controller", label: "controller" },
    });
    expect(Date.parse(config.lastEndedRollout!.endedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("says who promoted", async () => {
    expect((await list()).get("promoted")!.lastEndedRollout).toMatchObject({ status: "promoted", endReason: null, endedBy: { type: "user", label: operatorEmail } });
  });

  it("keeps the last ended rollout beside a new active one", async () => {
    const config = (await list()).get("rolled-back-then-restarted")!;
    expect(config.activeRollout).not.toBeNull();
    expect(config.lastEndedRollout).toMatchObject({ status: "rolled_back", endReason: "answers cite the wrong articles", endedBy: { type: "user", label: operatorEmail } });
    expect(config.lastEndedRollout!.id).not.toBe(config.activeRollout!.id);
  });

  it("reports a reverted promotion as rolled back, by whoever reverted it", async () => {
    expect((await list()).get("reverted")!.lastEndedRollout).toMatchObject({ status: "rolled_back", endReason: "complaints up", endedBy: { label: operatorEmail } });
  });

  it("is null for a config whose rollouts never ended", async () => {
    const configs = await list();
    expect(configs.get("never")!.lastEndedRollout).toBeNull();
    expect(configs.get("running")!.lastEndedRollout).toBeNull();
    expect(configs.get("running")!.activeRollout).not.toBeNull();
  });

  it("loads every config's last ended rollout at once, not one query per config", async () => {
    let operations = 0;
    const counting = db.prisma.$extends({
      query: {
        $allOperations({ args, query }) {
          operations += 1;
          return query(args);
        },
      },
    }) as unknown as Db;
    const configs = await listConfigs(counting);
    expect(configs.length).toBe(6);
    const once = operations;
    for (const key of ["more-1", "more-2", "more-3"]) await seed(key);
    await act((await seed("more-4")).rolloutId, "abort");
    operations = 0;
    const more = await listConfigs(counting);
    expect(more.length).toBe(10);
    expect(more.find((c) => c.key === "more-4")!.lastEndedRollout).toMatchObject({ status: "aborted" });
    expect(operations).toBe(once);
    expect(once).toBe(2); // the configs with their active rollouts, and the last ended rollouts
  });
});
