import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN, E2E_FIRST_LOGIN_FILE, E2E_PROVIDER_HEADER_VALUE, E2E_PROVIDER_KEY, E2E_SECRETS_FILE, E2E_SERVER_LOG, E2E_USERS } from "../constants";

// Runs after every other e2e project (see playwright.config.ts): the whole run's server output —
// sign-ins, wrong passwords, sessions, key creation and use, alerts, provider connections and
// their tests, errors — holds no secret.

test("the server's log of the whole run holds no password, API key, session, provider key or signing secret", () => {
  const log = readFileSync(E2E_SERVER_LOG, "utf8");
  expect(log).toContain("is running at"); // the log is the real one, not empty

  const { authSecret, encryptionKey } = JSON.parse(readFileSync(E2E_SECRETS_FILE, "utf8")) as { authSecret: string; encryptionKey: string };
  const firstLogin = JSON.parse(readFileSync(E2E_FIRST_LOGIN_FILE, "utf8")) as { password: string };
  const literals = { authSecret, encryptionKey, providerKey: E2E_PROVIDER_KEY, providerHeaderValue: E2E_PROVIDER_HEADER_VALUE, adminPassword: E2E_ADMIN.password, firstLoginPassword: firstLogin.password, ...Object.fromEntries(Object.entries(E2E_USERS).map(([role, u]) => [`${role}Password`, u.password])) };
  const leaks = Object.entries(literals)
    .filter(([, secret]) => log.includes(secret))
    .map(([name]) => name);

  const patterns: Record<string, RegExp> = {
    "an API key with its secret": /\blck_[0-9a-z]{6,}_[0-9a-z]{20,}/,
    "a bcrypt hash": /\$2[aby]\$\d\d\$[./A-Za-z0-9]{20,}/,
    "a session cookie": /authjs\.session-token=[^;\s]{20,}/,
    "a JWT": /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./,
    "a password field": /"password"\s*:\s*"[^"]+"/i,
  };
  for (const [what, pattern] of Object.entries(patterns)) {
    const found = pattern.exec(log);
    if (found) leaks.push(`${what}: …${found[0].slice(0, 12)}…`);
  }

  expect(leaks).toEqual([]);
});
