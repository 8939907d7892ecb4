import AxeBuilder from "@axe-core/playwright";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { serverStartArgs } from "../../helpers/server-command";
import { E2E_DATABASE_FILE } from "../constants";

// The empty state's curl example names the URL the browser is on. The server only knows the Host
// header it was handed: behind a proxy that passes the app's own bind address (0.0.0.0:PORT), the
// server-rendered origin is that address, which no one can call. The empty state needs a database
// without configs, so this starts an instance of its own on a fresh database.

const APP_PORT = 3231;
const PROXY_PORT = 3232;
const ADMIN = { email: "empty@e2e.test", password: "empty-state-password-1234" };
const server = new URL(JSON.parse(readFileSync(E2E_DATABASE_FILE, "utf8")).url as string);
const database = `llm_canary_e2e_empty_${randomBytes(3).toString("hex")}`;
const admin = () => new pg.Client({ connectionString: new URL("/postgres", server).toString() });

let app: ChildProcess | null = null;
let output = "";
let proxy: http.Server | null = null;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const client = admin();
  await client.connect();
  await client.query(`CREATE DATABASE ${database}`);
  await client.end();
  app = spawn(process.execPath, serverStartArgs(), {
    env: {
      ...process.env,
      DATABASE_URL: new URL(`/${database}`, server).toString(),
      PORT: String(APP_PORT),
      HOST: "127.0.0.1",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LLM_CANARY_DATA_DIR: mkdtempSync(path.join(tmpdir(), "llm-canary-empty-")),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("is running at")) resolve();
    };
    app!.stdout!.on("data", onData);
    app!.stderr!.on("data", onData);
    app!.once("exit", (code) => reject(new Error(`the instance exited with ${code}:\n${output}`)));
  });
  // A proxy that hands the app its bind address as the Host, as a misconfigured one does.
  proxy = http.createServer((req, res) => {
    const upstream = http.request({ host: "127.0.0.1", port: APP_PORT, path: req.url, method: req.method, headers: { ...req.headers, host: `0.0.0.0:${APP_PORT}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy!.listen(PROXY_PORT, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  proxy?.close();
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once("exit", resolve));
    app.kill("SIGTERM");
    await exited;
  }
  const client = admin();
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await client.end();
});

test("the empty state's curl example uses the URL the browser is on, never the server's bind address", async ({ page }) => {
  await page.goto(`http://127.0.0.1:${APP_PORT}/login`);
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("No configs yet")).toBeVisible();
  await expect(page.locator("pre")).toContainText(`curl -X POST http://127.0.0.1:${APP_PORT}/api/admin/configs`);

  // Through the proxy (the session cookie is the same host's): the server thinks it is 0.0.0.0.
  const served = await (await page.request.get(`http://127.0.0.1:${PROXY_PORT}/`)).text();
  expect(served).toContain(`0.0.0.0:${APP_PORT}`);
  await page.goto(`http://127.0.0.1:${PROXY_PORT}/`);
  await expect(page.getByText("No configs yet")).toBeVisible();
  await expect(page.locator("pre")).toContainText(`curl -X POST http://127.0.0.1:${PROXY_PORT}/api/admin/configs`);
  await expect(page.locator("pre")).not.toContainText("0.0.0.0");

  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
});
