import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { startAppProcess, type AppProcess } from "../../helpers/app-process";
import { E2E_DATABASE_FILE } from "../constants";

// Behind a trusted proxy (LLM_CANARY_TRUST_PROXY) the sign-in limit per address counts the
// address the proxy appended to X-Forwarded-For. A client that writes its own X-Forwarded-For
// header controls every hop before that one: changing them must not give it more guesses.

const { url: databaseUrl } = JSON.parse(readFileSync(E2E_DATABASE_FILE, "utf8")) as { url: string };
const PROXY_PORT = 3218;
const PROXY_SAW = "198.51.100.7"; // what the proxy appends: the address it accepted the connection from

let instance: AppProcess | null = null;

// bcrypt at cost 4, as the e2e server runs (serve.ts): each of the 21 sign-ins below checks a password.
test.beforeAll(async () => {
  test.setTimeout(120_000);
  instance = await startAppProcess({ databaseUrl, port: PROXY_PORT, label: "behind a proxy", env: { LLM_CANARY_TRUST_PROXY: "true", LLM_CANARY_PASSWORD_HASH_COST: "4" } });
});

test.afterAll(async () => {
  await instance?.stop();
});

test("the per-address sign-in limit counts the hop the proxy added, whatever hops the client wrote", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${PROXY_PORT}` });
  const page = await context.newPage();
  const attempt = async (i: number) => {
    // A new account each time (the per-account limit stays out of it) and a new first hop.
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `203.0.113.${i + 1}, ${PROXY_SAW}` });
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(`proxy-${randomBytes(3).toString("hex")}@e2e.test`);
    await page.getByLabel("Password").fill("wrong-password-123");
    await page.getByRole("button", { name: "Sign in" }).click();
    return page.locator("form").getByRole("alert");
  };
  for (let i = 0; i < 20; i++) await expect(await attempt(i)).toHaveText("Wrong e-mail or password.");
  await expect(await attempt(20)).toHaveText(/^Too many failed sign-ins for your network address; try again in 1[45] minutes\.$/);
  await context.close();
});
