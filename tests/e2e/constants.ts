export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_FIRST_LOGIN_FILE = "tests/.e2e/first-login.json";
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1234" };
/** One user per other role, created by serve.ts; setup signs each in once and keeps the session. */
export const E2E_USERS = {
  editor: { email: "editor@e2e.test", password: "e2e-editor-password-1234" },
  operator: { email: "operator@e2e.test", password: "e2e-operator-password-1234" },
  viewer: { email: "viewer@e2e.test", password: "e2e-viewer-password-1234" },
} as const;
export type E2ERole = keyof typeof E2E_USERS | "admin";
export const storageStateOf = (role: E2ERole) => `tests/.e2e/${role}.json`;
/** Everything the e2e server prints, and the secrets it was given: the log check greps one for the other. */
export const E2E_SERVER_LOG = "tests/.e2e/server.log";
export const E2E_SECRETS_FILE = "tests/.e2e/secrets.json";
/** Where the tests leave the README's screenshots. */
export const SCREENSHOT_DIR = "public/screenshots";
/** Where serve.ts tells the tests which database the server runs on ({ url: null } when embedded). */
export const E2E_DATABASE_FILE = "tests/.e2e/database.json";
/** The credential part of a Slack webhook URL a journey saves: it must never show in the audit log. */
export const E2E_WEBHOOK_TOKEN = "e2eSlackWebhookToken0123456789";
/** A provider connection's key and extra header value a journey saves: never in a page, an answer, the audit log or the server's log. */
export const E2E_PROVIDER_KEY = "sk-e2eProviderKey0123456789abcdef";
export const E2E_PROVIDER_HEADER_VALUE = "e2eProviderHeaderValue0123456789";
