import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { storageStateOf, type E2ERole } from "../constants";

export { expect };

/**
 * The journeys' `test`: `pageAs(role)` gives a page signed in as `role` (its saved session), in a
 * context of its own, closed when the test ends (Playwright closes only the contexts it made).
 */
export const test = base.extend<{ pageAs: (role: E2ERole) => Promise<Page> }>({
  pageAs: async ({ browser }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async (role) => {
      const context = await browser.newContext({ storageState: storageStateOf(role) });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export const uniqueKey = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/**
 * A config with a stable v1 and a v2, and optionally a running canary of v2, made through the
 * admin API (the UI journeys that need them start here).
 */
export async function seedConfig(request: APIRequestContext, opts: { rollout?: boolean; stages?: unknown[]; include?: string[] } = {}) {
  const key = uniqueKey("e2e");
  const post = async (path: string, data: unknown) => {
    const res = await request.post(path, { data });
    expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
    return res.json();
  };
  await post("/api/admin/configs", { key, name: `Chat ${key}` });
  const v1 = await post(`/api/admin/configs/${key}/versions`, { label: "v1", model: "gpt-4o-mini", systemPrompt: "You are helpful.\nAnswer briefly.", temperature: 0.7, maxTokens: 512 });
  const v2 = await post(`/api/admin/configs/${key}/versions`, { label: "v2", model: "gpt-4o-mini", systemPrompt: "You are helpful.\nCite your sources.\nAnswer briefly.", temperature: 0.4, maxTokens: 512 });
  const rollout = opts.rollout ? await post(`/api/admin/configs/${key}/rollouts`, { canaryVersionId: v2.id, ...(opts.stages ? { stages: opts.stages } : {}), ...(opts.include ? { include: opts.include } : {}) }) : null;
  return { key, v1, v2, rollout } as { key: string; v1: { id: string }; v2: { id: string }; rollout: { id: string; revision: number } | null };
}

/** Errors the page logs in the browser console, from now on. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** axe's serious and critical WCAG 2 A/AA findings on the page as it is now, one line each. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
}
