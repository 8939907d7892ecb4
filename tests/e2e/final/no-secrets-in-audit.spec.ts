import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN, E2E_FIRST_LOGIN_FILE, E2E_PROVIDER_HEADER_VALUE, E2E_PROVIDER_KEY, E2E_USERS, E2E_WEBHOOK_TOKEN, storageStateOf } from "../constants";

// Runs after every other e2e project, like the log check: the whole audit log of the run, as an
// admin reads it (every event), holds no webhook URL path or query, key (provider keys included), password or session.

test.use({ storageState: storageStateOf("admin") });

test("the audit log of the whole run holds no webhook credential, API key, provider key, password or session", async ({ request }) => {
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await request.get(`/api/admin/audit?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status()).toBe(200);
    const page = (await res.json()) as { events: unknown[]; nextCursor: string | null };
    pages.push(JSON.stringify(page.events));
    cursor = page.nextCursor;
  } while (cursor);
  const log = pages.join("\n");
  expect(log).toContain("alert_channel.create"); // the journeys' channels are in it
  expect(log).toContain("provider.update"); // and their provider connection, created, changed and deleted

  const firstLogin = JSON.parse(readFileSync(E2E_FIRST_LOGIN_FILE, "utf8")) as { password: string };
  const literals: Record<string, string> = {
    webhookToken: E2E_WEBHOOK_TOKEN,
    providerKey: E2E_PROVIDER_KEY,
    providerHeaderValue: E2E_PROVIDER_HEADER_VALUE,
    adminPassword: E2E_ADMIN.password,
    firstLoginPassword: firstLogin.password,
    ...Object.fromEntries(Object.entries(E2E_USERS).map(([role, u]) => [`${role}Password`, u.password])),
  };
  const leaks = Object.entries(literals)
    .filter(([, secret]) => log.includes(secret))
    .map(([name]) => name);
  const patterns: Record<string, RegExp> = {
    "an unmasked URL field": /"\w*(?:url|Url|URL)":"(?![a-z][a-z0-9+.-]*:\/\/[^/"]*\/\*\*\*")[^"]+"/,
    "an API key with its secret": /\blck_[0-9a-z]{6,}_[0-9a-z]{20,}/,
    "a bcrypt hash": /\$2[aby]\$\d\d\$[./A-Za-z0-9]{20,}/,
    "a session cookie": /authjs\.session-token=[^;\s]{20,}/,
    "a JWT": /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./,
    "a secret field": /"\w*(?:secret|Secret|password|Password|token|Token)":"(?!\*\*\*")[^"]+"/,
  };
  for (const [what, pattern] of Object.entries(patterns)) {
    const found = pattern.exec(log);
    if (found) leaks.push(`${what}: …${found[0].slice(0, 24)}…`);
  }
  expect(leaks).toEqual([]);
});
