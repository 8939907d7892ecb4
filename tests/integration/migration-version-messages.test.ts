import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { getVersion } from "@/lib/release/version-service";
import { adminKey } from "../helpers/call";
import { send, startClientApiServer, type ClientApiServer } from "../helpers/client-api-server";
import { databaseBefore, embeddedDatabaseBefore } from "../helpers/migrate-before";

// The migration that gave versions their messages, on a database with versions from before it
// (a PostgreSQL server and the embedded database): each system prompt becomes one system message,
// and /api/route answers the same `llm.systemPrompt` as before. Instances of the previous release,
// which may still run during a rolling upgrade, keep reading system_prompt and inserting versions
// without messages.

const MIGRATION = "20261207020822_version_llm_settings";
const PROMPTS: Record<string, string> = {
  ver_plain: "You are a support agent.\nBe brief.",
  ver_empty: "",
  // Written before templates existed: not a valid template, and not one to render.
  ver_braces: "Reply as JSON like {{\"answer\": ...",
  ver_unicode: "Réponds en français — 🙂",
};

describe.each([
  ["a PostgreSQL server", databaseBefore],
  ["the embedded database", embeddedDatabaseBefore],
])(`migration ${MIGRATION} on %s`, (_kind, before) => {
  let db: Database;
  let drop: () => Promise<void>;
  let srv: ClientApiServer;
  let routeKey: string;

  beforeAll(async () => {
    // The migrations before this one, then versions of that time, then the rest.
    ({ db, drop } = await before(MIGRATION));
    await db.query(`INSERT INTO configs (id, key, name, updated_at) VALUES ('cfg_1', 'chat', 'Chat', now())`, []);
    for (const [id, prompt] of Object.entries(PROMPTS)) {
      await db.query(
        `INSERT INTO versions (id, config_id, label, model, system_prompt, temperature, top_p, max_tokens, params, author_label)
         VALUES ($1, 'cfg_1', $1, 'gpt-4o', $2, 0.5, 1, 256, '{"presence_penalty": 0.1}', 'before')`,
        [id, prompt],
      );
    }
    await db.query(`UPDATE configs SET stable_version_id = 'ver_braces', revision = 1 WHERE id = 'cfg_1'`, []);
    expect(await applyMigrations(db)).toContain(MIGRATION);
    routeKey = await adminKey(db.prisma, ["route"]);
    srv = await startClientApiServer(db);
  }, 120_000);
  afterAll(async () => {
    await srv?.close();
    await drop?.();
  });

  it("turns each earlier system prompt into one system message, answered back as the same systemPrompt", async () => {
    for (const [id, prompt] of Object.entries(PROMPTS)) {
      const version = await getVersion(db.prisma, "chat", id);
      expect(version.messages).toEqual([{ role: "system", content: prompt }]);
      expect(version.systemPrompt).toBe(prompt);
      expect(version).toMatchObject({ provider: null, stop: [], seed: null, tools: [], toolChoice: null, responseFormat: null, variables: [], params: { presence_penalty: 0.1 } });
    }
  });

  it("keeps /api/route's llm.systemPrompt, and renders an earlier prompt as written when variables are sent", async () => {
    const plain = await send(srv.baseUrl, "/api/route", { auth: routeKey, body: { config: "chat", userId: "u" } });
    expect(plain.status).toBe(200);
    expect(plain.body.llm).toMatchObject({ systemPrompt: PROMPTS.ver_braces, messages: [{ role: "system", content: PROMPTS.ver_braces }], model: "gpt-4o", temperature: 0.5 });
    const rendered = await send(srv.baseUrl, "/api/route", { auth: routeKey, body: { config: "chat", userId: "u", variables: { answer: "x" } } });
    expect(rendered.status).toBe(200);
    expect(rendered.body.llm.rendered).toEqual([{ role: "system", content: PROMPTS.ver_braces }]);
  });

  it("gives a version inserted by the previous release (system_prompt, no messages) its one system message", async () => {
    await db.query(
      `INSERT INTO versions (id, config_id, label, model, system_prompt, temperature, top_p, max_tokens, author_label)
       VALUES ('ver_old_writer', 'cfg_1', 'old-writer', 'gpt-4o', 'Written by the previous release.', 0.5, 1, 256, 'old')`,
      [],
    );
    expect((await getVersion(db.prisma, "chat", "ver_old_writer")).messages).toEqual([{ role: "system", content: "Written by the previous release." }]);
  });

  it("leaves versions immutable", async () => {
    await expect(db.query(`UPDATE versions SET messages = '[]' WHERE id = 'ver_plain'`, [])).rejects.toThrow(/versions are immutable/);
  });
});
