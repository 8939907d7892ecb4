export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_FIRST_LOGIN_FILE = "tests/.e2e/first-login.json";
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1234" };
/** Where serve.ts tells the tests which database the server runs on ({ url: null } when embedded). */
export const E2E_DATABASE_FILE = "tests/.e2e/database.json";
