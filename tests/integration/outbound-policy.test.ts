import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as channels from "@/app/api/admin/alert-channels/route";
import * as channelDeliveries from "@/app/api/admin/alert-channels/[id]/deliveries/route";
import * as channelOne from "@/app/api/admin/alert-channels/[id]/route";
import * as channelTest from "@/app/api/admin/alert-channels/[id]/test/route";
import * as configRollback from "@/app/api/admin/configs/[key]/rollback/route";
import { deliverDue } from "@/lib/alerts/dispatch";
import type { Actor } from "@/lib/auth/actor";
import { setDatabase } from "@/lib/db/client";
import { OutboundError, outboundRequest } from "@/lib/outbound/request";
import { replaceResolver, type ResolvedAddress } from "@/lib/outbound/resolve";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { adminKey, call } from "../helpers/call";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

// The outbound policy on the real server, through the admin API: a receiver on 127.0.0.1 records
// every request that reaches it, and with the policy on nothing does — whatever the host's
// spelling, whether the channel was saved before the policy was on, whether a public-looking name
// resolves there or a public-looking receiver redirects there. 127.0.0.2 stands for a public
// host: LLM_CANARY_ALLOW_PRIVATE_NETWORKS=127.0.0.2 allows it and nothing else. Names are answered
// by a resolver the test controls (lib/outbound/resolve.ts), never by DNS.

const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
const INTERNAL_BODY = "internal-service-answer: db_password=hunter2";
const ONLY_FRONT = "127.0.0.2";

interface Hit {
  server: string;
  path: string;
  host: string | undefined;
}

let db: TestDatabase;
let auth: string;
const hits: Hit[] = [];
const servers: (Server | TcpServer)[] = [];
let internalPort: number; // the internal service, on 127.0.0.1
let frontPort: number; // the "public" receiver on 127.0.0.2; 127.0.0.1 listens on the same port too
let names: Record<string, string[]> = {}; // name → the address each question gets, the last one repeated
const questions: string[] = [];
let restoreResolver: () => void;
let answer: { status: number; body: string } = { status: 200, body: INTERNAL_BODY };

function recorder(server: string) {
  return createHttpServer((req, res) => {
    hits.push({ server, path: req.url ?? "", host: req.headers.host });
    req.resume();
    if (req.url === "/redirect") {
      res.writeHead(302, { location: `http://127.0.0.1:${internalPort}/internal` }).end();
      return;
    }
    res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
  });
}

async function listen(server: Server | TcpServer, host: string, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

function setPolicy(value: string) {
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = value;
}

beforeAll(async () => {
  db = await createTestDatabase();
  setDatabase(db);
  auth = await adminKey(db.prisma, ["admin"]);
  internalPort = await listen(recorder("internal"), "127.0.0.1");
  // The front and a trap on 127.0.0.1 share a port, so a connection that went to the wrong
  // address would still find a server there and be recorded.
  for (;;) {
    frontPort = await listen(recorder("front"), ONLY_FRONT);
    try {
      await listen(recorder("rebound"), "127.0.0.1", frontPort);
      break;
    } catch {
      // that port is taken on 127.0.0.1; try another
    }
  }
  restoreResolver = replaceResolver(async (name): Promise<ResolvedAddress[]> => {
    questions.push(name);
    const list = names[name];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    const asked = questions.filter((q) => q === name).length;
    const address = list[Math.min(asked, list.length) - 1];
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  });
});
afterAll(async () => {
  restoreResolver?.();
  for (const server of servers) server.close();
  await db?.close();
});
beforeEach(async () => {
  hits.length = 0;
  questions.length = 0;
  names = {};
  answer = { status: 200, body: INTERNAL_BODY };
  setPolicy("false");
  await db.prisma.alertChannel.updateMany({ data: { enabled: false } }); // each test hears only its own channels
});
afterEach(() => setPolicy("true"));

async function createChannel(url: string, kind = "webhook") {
  return call(channels.POST, "POST", { auth, body: { name: `c-${Math.random().toString(36).slice(2, 8)}`, kind, url } });
}

async function testSend(id: string) {
  const res = await call(channelTest.POST, "POST", { auth, params: { id } });
  expect(res.status).toBe(200);
  return res.body;
}

const SPELLINGS = [
  "127.0.0.1",
  "localhost",
  "LocalHost.",
  "api.localhost",
  "0.0.0.0",
  "127.1",
  "2130706433",
  "0x7f.1",
  "0177.0.0.1",
  "[::1]",
  "[::ffff:127.0.0.1]",
  "[::]",
  "169.254.169.254",
  "[fe80::1]",
  "10.0.0.1",
  "172.16.0.1",
  "192.168.1.1",
  "100.64.0.1",
  "[fc00::1]",
  "224.0.0.1",
  "255.255.255.255",
];

describe("the outbound policy, for alert channels", () => {
  it("refuses every spelling of a non-public host at create and at update, naming the url field", async () => {
    const saved = await createChannel("http://93.184.216.34/hook"); // public: saved, never sent
    expect(saved.status).toBe(201);
    for (const host of SPELLINGS) {
      const url = `http://${host}:${internalPort}/hook`;
      const update = await call(channelOne.PATCH, "PATCH", { auth, params: { id: saved.body.id }, body: { url } });
      for (const res of [await createChannel(url), update]) {
        expect(res.status, url).toBe(400);
        expect(res.body.error.code).toBe("invalid_request");
        const reason = /^must point at a public address; .+ (is|resolves to) .+ \(an operator can allow it with LLM_CANARY_ALLOW_PRIVATE_NETWORKS\)$/;
        expect(res.body.error.details).toEqual([{ path: "url", message: expect.stringMatching(reason) }]);
        expect(res.body.error.message).toMatch(/^The `url` field must point at a public address/);
      }
    }
    const refused = await createChannel(`http://[::ffff:127.0.0.1]:${internalPort}/hook`);
    expect(refused.body.error.message).toContain("[::ffff:7f00:1] is a loopback address"); // as the URL parser reads it
    // The refused updates changed nothing (answers show a URL's scheme and host only: read the row).
    expect((await db.prisma.alertChannel.findUniqueOrThrow({ where: { id: saved.body.id } })).url).toBe("http://93.184.216.34/hook");
    expect(hits).toEqual([]);
  });

  it("refuses at send time a channel saved while private networks were allowed: nothing reaches the receiver", async () => {
    setPolicy("true");
    const { body: channel } = await createChannel(`http://127.1:${internalPort}/hook`);
    const key = await activeRollout("send-time");
    setPolicy("false");

    const refused = { status: "failed", attempts: 1, lastStatus: null, lastError: "refused_by_policy" };
    expect(await testSend(channel.id)).toMatchObject(refused);
    await call(configRollback.POST, "POST", { auth, params: { key }, body: { reason: "complaints" } });
    await deliverDue(db.prisma);
    const log = (await call(channelDeliveries.GET, "GET", { auth, params: { id: channel.id } })).body.deliveries;
    expect(log.map((d: { event: string; status: string; lastError: string }) => [d.event, d.status, d.lastError])).toEqual([
      ["manual_rollback", "failed", "refused_by_policy"], // final: no retry
      ["test", "failed", "refused_by_policy"],
    ]);
    expect(hits).toEqual([]);
  });

  it("refuses a public-looking name that resolves to 127.0.0.1, at create and at send", async () => {
    names["hooks.example.test"] = ["127.0.0.1"];
    const res = await createChannel(`https://hooks.example.test:${internalPort}/hook`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toBe(
      "must point at a public address; hooks.example.test resolves to a loopback address (an operator can allow it with LLM_CANARY_ALLOW_PRIVATE_NETWORKS)",
    );

    // Saved while it answered an allowed address, then it moves to 127.0.0.1.
    setPolicy(ONLY_FRONT);
    names["moving.example.test"] = [ONLY_FRONT, "127.0.0.1"];
    const { body: channel } = await createChannel(`http://moving.example.test:${frontPort}/hook`);
    expect(await testSend(channel.id)).toMatchObject({ status: "failed", lastError: "refused_by_policy" });
    expect(hits).toEqual([]);
  });

  it("resolves once and connects to the address it judged, so rebinding between check and connect gets nowhere", async () => {
    setPolicy(ONLY_FRONT);
    const { body: channel } = await createChannel(`http://rebind.example.test:${frontPort}/hook`);
    expect(channel.id).toBeDefined(); // the check asked about a name nobody answers yet: saved
    // The first question gets the allowed address, every later one 127.0.0.1, where a trap listens
    // on the same port.
    names["rebind.example.test"] = [ONLY_FRONT, "127.0.0.1"];
    questions.length = 0;
    expect(await testSend(channel.id)).toMatchObject({ status: "delivered", lastStatus: 200, lastError: null });
    expect(questions).toEqual(["rebind.example.test"]);
    expect(hits).toEqual([{ server: "front", path: "/hook", host: `rebind.example.test:${frontPort}` }]);
  });

  it("does not follow a redirect from an allowed receiver to a private address", async () => {
    setPolicy(ONLY_FRONT);
    const { body: channel } = await createChannel(`http://${ONLY_FRONT}:${frontPort}/redirect`);
    expect(await testSend(channel.id)).toMatchObject({ status: "pending", lastStatus: 302, lastError: "http_status" });
    expect(hits.map((h) => h.server)).toEqual(["front"]);
  });

  it("never keeps or shows what the receiver answered", async () => {
    setPolicy("true");
    const { body: hook } = await createChannel(`http://127.0.0.1:${internalPort}/hook`);
    answer = { status: 500, body: INTERNAL_BODY };
    expect(await testSend(hook.id)).toMatchObject({ status: "pending", lastStatus: 500, lastError: "http_status" });
    const { body: robot } = await createChannel(`http://127.0.0.1:${internalPort}/robot/send?access_token=t`, "dingtalk");
    answer = { status: 200, body: JSON.stringify({ errcode: 310000, errmsg: INTERNAL_BODY }) };
    expect(await testSend(robot.id)).toMatchObject({ status: "pending", lastStatus: 200, lastError: "rejected" });
    answer = { status: 200, body: INTERNAL_BODY };
    expect(await testSend(hook.id)).toMatchObject({ status: "delivered", lastStatus: 200, lastError: null });

    expect(hits).toHaveLength(3);
    const logs = await Promise.all([hook, robot].map((c) => call(channelDeliveries.GET, "GET", { auth, params: { id: c.id } })));
    const stored = await db.prisma.alertDelivery.findMany({ where: { channelId: { in: [hook.id, robot.id] } } });
    for (const text of [JSON.stringify(logs), JSON.stringify(stored)]) {
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("internal-service-answer");
    }
  });

  it("tells a closed port, a silent one, a non-HTTP service and a TLS mismatch apart no better than 'connection_failed'", async () => {
    setPolicy("true");
    const closed = createTcpServer();
    const closedPort = await listen(closed, "127.0.0.1");
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const hangsUp = await listen(createTcpServer((socket) => socket.destroy()), "127.0.0.1");
    const ssh = await listen(createTcpServer((socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n")), "127.0.0.1");
    const targets = [
      `http://127.0.0.1:${closedPort}/`,
      `http://127.0.0.1:${hangsUp}/`,
      `http://127.0.0.1:${ssh}/`,
      `https://127.0.0.1:${internalPort}/`, // TLS to an HTTP port
      "http://nowhere.example.test/", // no such name
    ];
    const outcomes = [];
    for (const url of targets) {
      const { body: channel } = await createChannel(url);
      const sent = await testSend(channel.id);
      outcomes.push({ status: sent.status, attempts: sent.attempts, lastStatus: sent.lastStatus, lastError: sent.lastError });
    }
    const same = { status: "pending", attempts: 1, lastStatus: null, lastError: "connection_failed" };
    expect(outcomes).toEqual(targets.map(() => same));
  });

  it("gives a slow receiver the fixed class 'timeout', and nothing of the socket's words", async () => {
    setPolicy("true");
    const silent = await listen(createTcpServer(() => {}), "127.0.0.1"); // accepts, never answers
    const url = `http://127.0.0.1:${silent}/`;
    const error = await outboundRequest(url, { method: "POST", body: "{}", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    expect(error).toMatchObject({ failure: "timeout", message: "timeout", refusal: null });
    setPolicy("false");
    const refused = await outboundRequest(url, { method: "GET", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ failure: "refused_by_policy", refusal: { reason: "loopback" } });
  });
});

async function activeRollout(key: string) {
  await createConfig(db.prisma, system, { key, name: key });
  await createVersion(db.prisma, system, key, { label: "v1", model: "gpt-4o", systemPrompt: "a", temperature: 0.5, maxTokens: 64 });
  const v2 = await createVersion(db.prisma, system, key, { label: "v2", model: "gpt-4o", systemPrompt: "b", temperature: 0.5, maxTokens: 64 });
  await startRollout(db.prisma, system, key, { canaryVersionId: v2.id });
  return key;
}
