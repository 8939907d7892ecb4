import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { CHANGE_CHANNEL, type Change, type ChangeNotice } from "@/lib/change-notify";
import { setDatabase } from "@/lib/db/client";
import { MAX_SCORE_DEFINITIONS } from "@/lib/limits";
import { createConfig } from "@/lib/release/config-service";
import * as scoresRoute from "@/app/api/admin/configs/[key]/scores/route";
import { adminKey, call, sessionFor } from "../helpers/call";
import { configWithVersions as withVersions, groundedness, scoreCalls, storedState, validJson } from "../helpers/score-api";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// Custom score definitions through the admin API, against a real database: what is stored, what
// is refused (400 naming the field, 409, 404) with nothing stored, the audit trail and the change
// notifications. How rollouts take the scores' thresholds: score-rollouts.test.ts.

let db: TestDatabase;
let admin: string;
let editor: string;
let viewer: string;
let listener: pg.Client;
let api: ReturnType<typeof scoreCalls>;
const notified: Change[] = [];
const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  admin = await adminKey(db.prisma);
  api = scoreCalls(admin);
  editor = (await sessionFor(db.prisma, "editor")).cookie;
  viewer = (await sessionFor(db.prisma, "viewer")).cookie;
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on("notification", (n) => {
    const notice: Partial<ChangeNotice> = JSON.parse(n.payload!);
    delete notice.seq; // which change it was, in the order of all changes
    notified.push(notice as Change);
  });
  await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await db?.close();
});

const same = { origin: "http://test.local" }; // a session's changes must come from the console's origin
const configWithVersions = (key: string) => withVersions(db.prisma, key);
const stored = () => storedState(db.prisma);
const list: typeof api.list = (...args) => api.list(...args);
const create: typeof api.create = (...args) => api.create(...args);
const patch: typeof api.patch = (...args) => api.patch(...args);
const remove: typeof api.remove = (...args) => api.remove(...args);

describe("defining scores", () => {
  it("creates a boolean and a numeric score with default thresholds, lists them, audits and announces each", async () => {
    const { config } = await configWithVersions("define");
    const bool = await create("define", validJson);
    expect(bool.status).toBe(201);
    expect(bool.body).toMatchObject({ ...validJson, description: "", min: null, max: null, direction: "higher_is_better", guardrail: true, threshold: { form: "difference", value: 0.02 } });
    const num = await create("define", { ...groundedness, description: "From the evaluator", direction: "higher_is_better", guardrail: false }, { cookie: editor, headers: same });
    expect(num.status).toBe(201);
    expect(num.body).toMatchObject({ ...groundedness, guardrail: false, threshold: { form: "difference", value: 0.05 } });

    const listed = await list("define", { cookie: viewer });
    expect(listed.status).toBe(200);
    expect(listed.body.scores.map((s: { key: string }) => s.key)).toEqual(["valid_json", "groundedness"]);

    const rows = await db.prisma.scoreDefinition.findMany({ where: { configId: config.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.key, r.kind, r.min, r.max, r.threshold])).toEqual([
      ["valid_json", "boolean", null, null, { form: "difference", value: 0.02 }],
      ["groundedness", "numeric", 0, 1, { form: "difference", value: 0.05 }],
    ]);
    const events = await db.prisma.auditEvent.findMany({ where: { configId: config.id, entityType: "score" }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.action, e.entityId, e.actorType])).toEqual([
      ["score.create", rows[0].id, "api_key"],
      ["score.create", rows[1].id, "user"],
    ]);
    expect(events[1].after).toMatchObject({ key: "groundedness", description: "From the evaluator", guardrail: false });
    expect(events[1].before).toBeNull();
    // Notifications arrive asynchronously; the versions made above announce themselves too.
    const scoreNotes = () => notified.filter((n) => n.kind === "score" && n.configId === config.id);
    for (let i = 0; i < 200 && scoreNotes().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(scoreNotes()).toEqual([
      { kind: "score", configId: config.id, scoreKey: "valid_json" },
      { kind: "score", configId: config.id, scoreKey: "groundedness" },
    ]);
  });

  it("refuses a key the config already has (409) and stores nothing; another config may use it", async () => {
    await configWithVersions("dup");
    await configWithVersions("dup-other");
    expect((await create("dup", validJson)).status).toBe(201);
    const before = await stored();
    const again = await create("dup", { ...validJson, label: "Again" });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe("Config `dup` already has a score `valid_json`; change that one, or pick another key.");
    expect(await stored()).toEqual(before);
    expect((await create("dup-other", validJson)).status).toBe(201);
  });

  it(`holds a config to ${MAX_SCORE_DEFINITIONS} scores`, async () => {
    await createConfig(db.prisma, system, { key: "many", name: "many" });
    for (let i = 0; i < MAX_SCORE_DEFINITIONS; i++) expect((await create("many", { ...validJson, key: `s${i}` })).status).toBe(201);
    const before = await stored();
    const over = await create("many", { ...validJson, key: "one_more" });
    expect(over.status).toBe(409);
    expect(over.body.error.message).toContain(`already has ${MAX_SCORE_DEFINITIONS} scores`);
    expect(await stored()).toEqual(before);
  });

  it("answers 404 for a config that does not exist", async () => {
    expect((await list("nope")).status).toBe(404);
    const res = await create("nope", validJson);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe("No config with key `nope`.");
  });

  const BAD: [what: string, body: unknown, field: string, message: RegExp][] = [
    ["a key with capitals and a space", { ...validJson, key: "Valid JSON" }, "key", /lower-case letters/],
    ["a key starting with a digit", { ...validJson, key: "1st" }, "key", /starting with a letter/],
    ["a key of 65 characters", { ...validJson, key: `a${"b".repeat(64)}` }, "key", /1-64/],
    ["no key", { label: "x", kind: "boolean" }, "key", /is required/],
    ["no label", { key: "k", kind: "boolean" }, "label", /is required/],
    ["a blank label", { ...validJson, label: "   " }, "label", /must not be empty/],
    ["a label of 101 characters", { ...validJson, label: "x".repeat(101) }, "label", /at most 100/],
    ["a NUL in the label", { ...validJson, label: "a\u0000b" }, "label", /NUL|must not contain/],
    ["a description of 2001 characters", { ...validJson, description: "x".repeat(2001) }, "description", /at most 2000/],
    ["an unknown kind", { ...validJson, kind: "float" }, "kind", /boolean or numeric/],
    ["no kind", { key: "k", label: "x" }, "kind", /boolean or numeric|is required/],
    ["a numeric score without min", { ...groundedness, min: undefined }, "min", /is required for a numeric score/],
    ["a numeric score without max", { ...groundedness, max: null }, "max", /is required for a numeric score/],
    ["max equal to min", { ...groundedness, min: 1, max: 1 }, "max", /greater than min/],
    ["max below min", { ...groundedness, min: 10, max: 1 }, "max", /greater than min/],
    ["a min past the magnitude limit", { ...groundedness, min: -1e10 }, "min", /at least/],
    ["a max that is a string", { ...groundedness, max: "10" }, "max", /must be a number/],
    ["a boolean score with a range", { ...validJson, min: 0, max: 1 }, "min", /must be absent for a boolean score/],
    ["an unknown direction", { ...validJson, direction: "up" }, "direction", /higher_is_better or lower_is_better/],
    ["a guardrail flag that is a string", { ...validJson, guardrail: "yes" }, "guardrail", /true or false/],
    ["a threshold of an unknown form", { ...validJson, threshold: { form: "absolute", value: 1 } }, "threshold.form", /difference.*ratio/],
    ["a threshold without a value", { ...validJson, threshold: { form: "difference" } }, "threshold.value", /is required|must be a number/],
    ["a threshold of 0", { ...validJson, threshold: { form: "difference", value: 0 } }, "threshold.value", /greater than 0/],
    ["a ratio of 1", { ...validJson, threshold: { form: "ratio", value: 1 } }, "threshold.value", /greater than 1/],
    ["a ratio over 1000", { ...groundedness, threshold: { form: "ratio", value: 1001 } }, "threshold.value", /at most 1000/],
    ["a threshold with an extra field", { ...validJson, threshold: { form: "ratio", value: 2, unit: "x" } }, "threshold", /unknown field/],
    ["a boolean drop of 1 or more", { ...validJson, threshold: { form: "difference", value: 1 } }, "threshold.value", /below 1 for a boolean score/],
    ["a numeric drop as wide as the range", { ...groundedness, threshold: { form: "difference", value: 1 } }, "threshold.value", /below the range's width \(1\)/],
    ["a ratio on a range with negative values", { ...groundedness, min: -1, threshold: { form: "ratio", value: 1.5 } }, "threshold.form", /must be difference/],
    ["an unknown field", { ...validJson, weight: 2 }, "(root)", /unknown field `weight`/],
    ["an array", [validJson], "(root)", /must be an object/],
  ];

  it.each(BAD)("refuses %s: 400 naming the field, nothing stored", async (_what, body, field, message) => {
    if (!(await db.prisma.config.findUnique({ where: { key: "bad" } }))) await createConfig(db.prisma, system, { key: "bad", name: "bad" });
    const before = await stored();
    const res = await create("bad", body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    const detail = res.body.error.details.find((d: { path: string }) => d.path === field);
    expect(detail, JSON.stringify(res.body.error.details)).toBeDefined();
    expect(detail.message).toMatch(message);
    expect(res.body.error.message).toContain(field === "(root)" ? "The request body" : `\`${res.body.error.details[0].path}\``);
    expect(await stored()).toEqual(before);
  });

  it("refuses a body that is not JSON (400) and stores nothing", async () => {
    await createConfig(db.prisma, system, { key: "not-json", name: "x" });
    const before = await stored();
    const res = await call(scoresRoute.POST, "POST", { auth: admin, params: { key: "not-json" }, rawBody: "{", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it("lets a viewer read but not define (403), and stores nothing", async () => {
    await createConfig(db.prisma, system, { key: "viewed", name: "x" });
    const before = await stored();
    const res = await create("viewed", validJson, { cookie: viewer, headers: same });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("configs:write");
    expect(await stored()).toEqual(before);
    expect((await list("viewed", { cookie: viewer })).status).toBe(200);
  });
});

describe("changing a score", () => {
  it("changes label, threshold, guardrail and range, keeps key and kind, audits before and after", async () => {
    const { config } = await configWithVersions("change");
    expect((await create("change", groundedness)).status).toBe(201);
    const res = await patch("change", "groundedness", { label: "Grounded", guardrail: false, threshold: { form: "difference", value: 0.5 }, min: 0, max: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: "groundedness", kind: "numeric", label: "Grounded", guardrail: false, min: 0, max: 10, threshold: { form: "difference", value: 0.5 } });
    const row = await db.prisma.scoreDefinition.findUniqueOrThrow({ where: { configId_key: { configId: config.id, key: "groundedness" } } });
    expect(row).toMatchObject({ label: "Grounded", guardrail: false, max: 10, threshold: { form: "difference", value: 0.5 } });
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "score.update", configId: config.id } });
    expect(event.entityId).toBe(row.id);
    expect(event.before).toMatchObject({ label: "Groundedness", guardrail: true, max: 1, threshold: { form: "difference", value: 0.05 } });
    expect(event.after).toMatchObject({ label: "Grounded", guardrail: false, max: 10, threshold: { form: "difference", value: 0.5 } });
  });

  it("writes nothing for a change to nothing", async () => {
    await createConfig(db.prisma, system, { key: "unchanged", name: "x" });
    await create("unchanged", validJson);
    const before = await stored();
    const res = await patch("unchanged", "valid_json", { label: "Valid JSON", guardrail: true });
    expect(res.status).toBe(200);
    expect(await stored()).toEqual(before);
  });

  const BAD_CHANGES: [what: string, scoreKey: string, body: unknown, field: string, message: RegExp][] = [
    ["a new key", "groundedness", { key: "grounded" }, "(root)", /unknown field `key`/],
    ["a new kind", "groundedness", { kind: "boolean" }, "(root)", /unknown field `kind`/],
    ["a range narrower than the threshold", "groundedness", { max: 0.04 }, "threshold.value", /below the range's width \(0.04\)/],
    ["max below min", "groundedness", { min: 2 }, "max", /greater than min/],
    ["no max for a numeric score", "groundedness", { max: null }, "max", /is required/],
    ["a range for a boolean score", "valid_json", { min: 0 }, "min", /must be absent/],
    ["a boolean drop of 2", "valid_json", { threshold: { form: "difference", value: 2 } }, "threshold.value", /below 1/],
    ["a ratio once the range goes negative", "ratio_score", { min: -5 }, "threshold.form", /must be difference/],
    ["a blank label", "valid_json", { label: "" }, "label", /must not be empty/],
    ["a body that is not an object", "valid_json", "label", "(root)", /must be an object/],
  ];

  it.each(BAD_CHANGES)("refuses %s: 400 naming the field, nothing changed", async (_what, scoreKey, body, field, message) => {
    if (!(await db.prisma.config.findUnique({ where: { key: "bad-change" } }))) {
      await createConfig(db.prisma, system, { key: "bad-change", name: "x" });
      await create("bad-change", groundedness);
      await create("bad-change", validJson);
      await create("bad-change", { ...groundedness, key: "ratio_score", threshold: { form: "ratio", value: 1.5 } });
    }
    const before = await stored();
    const res = await patch("bad-change", scoreKey, body);
    expect(res.status).toBe(400);
    const detail = res.body.error.details.find((d: { path: string }) => d.path === field);
    expect(detail, JSON.stringify(res.body.error.details)).toBeDefined();
    expect(detail.message).toMatch(message);
    expect(await stored()).toEqual(before);
  });

  it("answers 404 for a score the config does not have", async () => {
    await createConfig(db.prisma, system, { key: "no-score", name: "x" });
    const res = await patch("no-score", "missing", { label: "x" });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe("Config `no-score` has no score `missing`.");
    expect((await remove("no-score", "missing")).status).toBe(404);
  });
});
