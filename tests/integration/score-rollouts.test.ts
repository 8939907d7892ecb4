import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnRollout } from "@/lib/analysis/rollout-actions";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { adminKey } from "../helpers/call";
import { configWithVersions as withVersions, groundedness, scoreCalls, storedState, validJson } from "../helpers/score-api";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// A rollout judges the guardrail scores' thresholds as they were when it started (a start request
// may override one); a score it judges is not deleted while it runs or is paused.

let db: TestDatabase;
let api: ReturnType<typeof scoreCalls>;
const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  api = scoreCalls(await adminKey(db.prisma));
});
afterAll(async () => {
  await db?.close();
});

const configWithVersions = (key: string) => withVersions(db.prisma, key);
const stored = () => storedState(db.prisma);
const create: typeof api.create = (...args) => api.create(...args);
const patch: typeof api.patch = (...args) => api.patch(...args);
const remove: typeof api.remove = (...args) => api.remove(...args);
const start: typeof api.start = (...args) => api.start(...args);

describe("rollouts and scores", () => {
  it("a rollout copies the guardrail scores' thresholds when it starts; a later change leaves it alone", async () => {
    const { v2 } = await configWithVersions("copy");
    await create("copy", groundedness);
    await create("copy", { ...validJson, threshold: { form: "ratio", value: 1.5 } });
    await create("copy", { ...validJson, key: "thumbs_down", direction: "lower_is_better", guardrail: false });
    const res = await start("copy", { canaryVersionId: v2.id });
    expect(res.status).toBe(201);
    const expected = { groundedness: { form: "difference", value: 0.05 }, valid_json: { form: "ratio", value: 1.5 } };
    expect(res.body.thresholds.scores).toEqual(expected);
    expect((await db.prisma.rollout.findUniqueOrThrow({ where: { id: res.body.id } })).thresholds).toMatchObject({ scores: expected, maxErrorRate: 0.05 });

    expect((await patch("copy", "groundedness", { threshold: { form: "difference", value: 0.2 } })).status).toBe(200);
    expect((await db.prisma.rollout.findUniqueOrThrow({ where: { id: res.body.id } })).thresholds).toMatchObject({ scores: expected });
  });

  it("a start request overrides a score's threshold and keeps the others' defaults", async () => {
    const { v2 } = await configWithVersions("override");
    await create("override", groundedness);
    await create("override", validJson);
    const res = await start("override", { canaryVersionId: v2.id, thresholds: { maxErrorRate: 0.1, scores: { valid_json: { form: "difference", value: 0.05 } } } });
    expect(res.status).toBe(201);
    expect(res.body.thresholds).toMatchObject({ maxErrorRate: 0.1, scores: { groundedness: { form: "difference", value: 0.05 }, valid_json: { form: "difference", value: 0.05 } } });
  });

  it.each([
    ["a key the config has no score for", { nope: { form: "ratio", value: 2 } }, "thresholds.scores.nope", /names no score of `refuse`/],
    ["a tracked score", { tracked: { form: "ratio", value: 2 } }, "thresholds.scores.tracked", /tracked score of `refuse`, which is not judged/],
    ["a boolean drop of 1.5", { valid_json: { form: "difference", value: 1.5 } }, "thresholds.scores.valid_json.value", /below 1 for a boolean score/],
    ["a drop as wide as the range", { groundedness: { form: "difference", value: 1 } }, "thresholds.scores.groundedness.value", /below the range's width/],
    ["a malformed threshold", { groundedness: { form: "difference", value: -1 } }, "thresholds.scores.groundedness.value", /greater than 0/],
    ["a malformed key", { "Not A Key": { form: "ratio", value: 2 } }, "thresholds.scores.Not A Key", /not an allowed key/],
  ])("a start overriding %s is a 400 naming it, and nothing starts", async (_what, scores, field, message) => {
    if (!(await db.prisma.config.findUnique({ where: { key: "refuse" } }))) {
      await configWithVersions("refuse");
      await create("refuse", groundedness);
      await create("refuse", validJson);
      await create("refuse", { ...validJson, key: "tracked", guardrail: false });
    }
    const v2 = await db.prisma.version.findFirstOrThrow({ where: { config: { key: "refuse" }, label: "v2" } });
    const before = await stored();
    const res = await start("refuse", { canaryVersionId: v2.id, thresholds: { scores } });
    expect(res.status).toBe(400);
    const detail = res.body.error.details.find((d: { path: string }) => d.path === field);
    expect(detail, JSON.stringify(res.body.error.details)).toBeDefined();
    expect(detail.message).toMatch(message);
    expect(res.body.error.message).toContain(`\`${field}\``);
    expect(await stored()).toEqual(before);
    expect((await db.prisma.config.findUniqueOrThrow({ where: { key: "refuse" } })).activeRolloutId).toBeNull();
  });

  it("refuses to delete a score a running or paused rollout judges (409 naming it), allows it once the rollout ends", async () => {
    const { config, v2 } = await configWithVersions("judged");
    await create("judged", groundedness);
    await create("judged", { ...validJson, guardrail: false });
    const rollout = (await start("judged", { canaryVersionId: v2.id })).body;

    const before = await stored();
    const refused = await remove("judged", "groundedness");
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`rollout ${rollout.id} (v1 → v2, running)`);
    expect(refused.body.error.current).toMatchObject({ key: "groundedness" });
    expect(await stored()).toEqual(before);

    await actOnRollout(db.prisma, system, rollout.id, "pause", {});
    const paused = await remove("judged", "groundedness");
    expect(paused.status).toBe(409);
    expect(paused.body.error.message).toContain("paused");

    // A tracked score is not judged: it may go while the rollout runs.
    expect((await remove("judged", "valid_json")).status).toBe(200);

    await actOnRollout(db.prisma, system, rollout.id, "abort", { reason: "done testing" });
    const deleted = await remove("judged", "groundedness");
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ key: "groundedness", kind: "numeric" });
    expect(await db.prisma.scoreDefinition.count({ where: { configId: config.id } })).toBe(0);
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "score.delete", configId: config.id }, orderBy: { id: "desc" } });
    expect(event.before).toMatchObject({ key: "groundedness", threshold: { form: "difference", value: 0.05 } });
    expect(event.after).toBeNull();

    // The key is free again, and a new rollout no longer judges it.
    const next = await start("judged", { canaryVersionId: v2.id });
    expect(next.body.thresholds.scores).toEqual({});
  });
});
