import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { E2E_BASE_URL } from "../constants";
import { expect, test, uniqueKey } from "./fixtures";

test("pages, the admin API and the client API send the security headers", async ({ request }) => {
  const page = await request.get("/login");
  const headers = page.headers();
  const scriptSrc = headers["content-security-policy"].split(";").find((d) => d.trim().startsWith("script-src"));
  // Scripts run only with this answer's nonce: no inline script an attacker could inject.
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]{20,}'/);
  expect(scriptSrc).toContain("'strict-dynamic'");
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  const nonce = /'nonce-([^']+)'/.exec(scriptSrc!)![1];
  expect(await page.text()).toContain(`nonce="${nonce}"`); // Next put it on its scripts
  const again = (await request.get("/login")).headers()["content-security-policy"];
  expect(again).not.toContain(nonce); // a fresh nonce per answer
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Both APIs: the same headers, and a policy under which a JSON answer can load nothing.
  for (const answer of [await request.get("/api/admin/configs"), await request.post("/api/route", { data: {} })]) {
    const api = answer.headers();
    expect(api["content-security-policy"]).toContain("default-src 'none'");
    expect(api["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(api["x-frame-options"]).toBe("DENY");
    expect(api["x-content-type-options"]).toBe("nosniff");
    expect(api["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  }
});

test("the session cookie is HttpOnly and SameSite=Lax, and Secure with the __Secure- prefix behind HTTPS", async ({ pageAs, request }) => {
  const admin = await pageAs("admin");
  const email = `${uniqueKey("cookie")}@e2e.test`;
  const password = "cookie-test-password-1";
  expect((await admin.request.post("/api/admin/users", { data: { email, role: "viewer", password } })).status()).toBe(201);

  // As a proxy terminating TLS would forward it.
  const https = { "x-forwarded-proto": "https" };
  const csrf = await request.get("/api/auth/csrf", { headers: https });
  const { csrfToken } = await csrf.json();
  expect(csrf.headers()["set-cookie"]).toMatch(/__Host-authjs\.csrf-token=.*Secure/i);
  const signIn = await request.post("/api/auth/callback/credentials", { headers: https, form: { csrfToken, email, password }, maxRedirects: 0 });
  const session = signIn.headersArray().find((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("__Secure-authjs.session-token="));
  expect(session?.value).toMatch(/HttpOnly/i);
  expect(session?.value).toMatch(/; Secure/i);
  expect(session?.value).toMatch(/SameSite=Lax/i);

  const plain = (await admin.context().cookies()).find((c) => c.name === "authjs.session-token");
  expect(plain).toMatchObject({ httpOnly: true, sameSite: "Lax" });
});

test("a cross-site form post with the console's session is refused and changes nothing", async ({ pageAs }) => {
  const page = await pageAs("admin");
  const key = uniqueKey("csrf");
  // Another origin (another port) serving a form that posts JSON-looking text/plain to the admin API.
  const evil: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<form method="POST" action="${E2E_BASE_URL}/api/admin/configs" enctype="text/plain">
      <input name='{"key":"${key}","name":"x","pad":"' value='"}'><button>Win a prize</button></form>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  try {
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/admin/configs") && r.request().method() === "POST");
    await page.getByRole("button", { name: "Win a prize" }).click();
    const response = await answer;
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain("only acts for pages of the console itself");
  } finally {
    evil.close();
  }
  expect((await page.request.get(`/api/admin/configs/${key}`)).status()).toBe(404);
});

test("sign-in is limited per account: after five failures even the right password waits, with a clear message", async ({ pageAs, page }) => {
  const admin = await pageAs("admin");
  const email = `${uniqueKey("throttle")}@e2e.test`;
  const password = "throttle-test-password-1";
  expect((await admin.request.post("/api/admin/users", { data: { email, role: "viewer", password } })).status()).toBe(201);

  // `page` is signed out: the journeys project keeps no session for it.
  const attempt = async (withPassword: string) => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill(withPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    return page.locator("form").getByRole("alert");
  };
  for (let i = 0; i < 5; i++) await expect(await attempt("wrong-password-123")).toHaveText("Wrong e-mail or password.");
  await expect(await attempt(password)).toHaveText(/^Too many failed sign-ins for this account; try again in 1[45] minutes\.$/);
});

test("a client that never finishes its headers is disconnected instead of holding the connection", async () => {
  const { hostname, port } = new URL(E2E_BASE_URL);
  const socket = connect(Number(port), hostname);
  let answer = "";
  socket.on("data", (chunk) => (answer += chunk.toString()));
  socket.write(`GET /login HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `); // and nothing more
  // The server answers 408 and closes within its 10 s header limit; with Node's defaults the
  // connection would stay open beyond this test's 30 s.
  await new Promise<void>((resolve) => socket.once("close", () => resolve()));
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
});
