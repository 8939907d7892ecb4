import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Actor } from "@/lib/auth/actor";
import { createConfig } from "@/lib/release/config-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { createClient, type CanaryClient, type CanaryClientOptions, type CanaryError, type OutcomeEvent, type RouteAnswer } from "@/lib/sdk/client";
import { adminKey } from "./call";
import { send, startClientApiServer, type ClientApiServer } from "./client-api-server";
import type { TestDatabase } from "./test-database";

// What the SDK integration tests share: configs, versions and rollouts in a test database, the
// client API on a real HTTP server, an API key for it, SDK clients closed after each test, and
// the real misbehaving servers (a dead port, a scripted faulty proxy) the SDK is tested against.
// The database itself belongs to each test file: create it in beforeAll, close it in afterAll.

export const system: Actor = { type: "system", id: null, label: "test", scopes: [] };
export const REQUEST_ID = /^req_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const fallbackLlm = { model: "fallback-model", systemPrompt: "You are the fallback.", temperature: 0.2, maxTokens: 100 };

const version = (label: string, model: string) => ({ label, model, systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });
const stages = [{ percent: 30, minDurationSec: 60, minSamples: 10 }, { percent: 100, minDurationSec: 60, minSamples: 10 }];

export interface SdkFixture {
  srv: ClientApiServer;
  /** A key with the route and metrics scopes, without its "Bearer " prefix. */
  apiKey: string;
  chatStable: string;
  chatCanary: string;
  searchVersion: string;
  /** A client on the test server with short retry pauses; `errors` collects what onError heard. */
  sdk(options?: Partial<CanaryClientOptions>): { client: CanaryClient; errors: CanaryError[] };
  /** What the server itself answers to POST /api/route. */
  serverRoute(config: string, userId: string): Promise<Record<string, unknown>>;
  /** An outcome of config `chat` on the stable version, with `over` applied. */
  outcome(requestId: string, over?: Partial<OutcomeEvent>): OutcomeEvent;
  /** How many stored outcomes have a requestId starting with `prefix`. */
  storedCount(prefix: string): Promise<number>;
  /** A real proxy in front of the client API whose first requests to `faultPath` fail as scripted. */
  startFaultyProxy(faults: ("503" | "429" | "reset")[], faultPath?: string): Promise<{ baseUrl: string; seen: string[]; close(): Promise<void> }>;
  /** Closes every client sdk() opened; call it in afterEach. */
  closeClients(): Promise<void>;
  /** Stops the client API server (not the database). */
  close(): Promise<void>;
}

/**
 * Configs chat (v1 stable, v2 canary in a rollout), search (s1), beta (b1 stable, b2 canary in a
 * rollout) and empty (no versions), then the client API server on top of them.
 */
export async function startSdkFixture(db: TestDatabase): Promise<SdkFixture> {
  for (const key of ["chat", "search", "beta", "empty"]) await createConfig(db.prisma, system, { key, name: key });
  const chatStable = (await createVersion(db.prisma, system, "chat", version("v1", "gpt-4o"))).id;
  const chatCanary = (await createVersion(db.prisma, system, "chat", version("v2", "gpt-4o-mini"))).id;
  await startRollout(db.prisma, system, "chat", { canaryVersionId: chatCanary, stages });
  const searchVersion = (await createVersion(db.prisma, system, "search", version("s1", "gpt-4o"))).id;
  await createVersion(db.prisma, system, "beta", version("b1", "gpt-4o"));
  const betaCanary = (await createVersion(db.prisma, system, "beta", version("b2", "o3"))).id;
  await startRollout(db.prisma, system, "beta", { canaryVersionId: betaCanary, stages });
  const apiKey = (await adminKey(db.prisma, ["route", "metrics"])).replace(/^Bearer /, "");
  const srv = await startClientApiServer(db);

  const opened: CanaryClient[] = [];
  return {
    srv,
    apiKey,
    chatStable,
    chatCanary,
    searchVersion,
    sdk(options = {}) {
      const errors: CanaryError[] = [];
      const client = createClient({ baseUrl: srv.baseUrl, apiKey, onError: (e) => errors.push(e), retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...options });
      opened.push(client);
      return { client, errors };
    },
    serverRoute: async (config, userId) => (await send(srv.baseUrl, "/api/route", { auth: `Bearer ${apiKey}`, body: { config, userId } })).body as Record<string, unknown>,
    outcome: (requestId, over = {}) => ({
      requestId,
      config: "chat",
      versionId: chatStable,
      isError: false,
      latencyMs: 100 + (requestId.length % 50),
      ...over,
    }),
    storedCount: (prefix) => db.prisma.outcome.count({ where: { requestId: { startsWith: prefix } } }),
    startFaultyProxy: (faults, faultPath) => startFaultyProxy(srv.baseUrl, faults, faultPath),
    closeClients: async () => {
      await Promise.all(opened.splice(0).map((c) => c.close()));
    },
    close: () => srv.close(),
  };
}

/** The real fetch, with every call's path and status written down. */
export function recordingFetch() {
  const calls: { path: string; query: string; status: number | "error"; keepalive: boolean; bytes: number }[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const call = { path: url.pathname, query: url.search, keepalive: init?.keepalive === true, bytes: typeof init?.body === "string" ? Buffer.byteLength(init.body) : 0 };
    try {
      const response = await fetch(input, init);
      calls.push({ ...call, status: response.status });
      return response;
    } catch (error) {
      calls.push({ ...call, status: "error" });
      throw error;
    }
  };
  const statuses = (pathname: string, query?: string) => calls.filter((c) => c.path === pathname && (query === undefined || c.query === query)).map((c) => c.status);
  return { fetch: recording, calls, statuses };
}

/** A route answer without what differs between two calls for the same user. */
export const withoutIds = ({ requestId, source, ...rest }: RouteAnswer) => (void requestId, void source, rest);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The address of a port nothing listens on any more. */
export async function deadBaseUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

async function startFaultyProxy(targetUrl: string, faults: ("503" | "429" | "reset")[], faultPath = "/api/metrics") {
  const seen: string[] = [];
  const target = new URL(targetUrl);
  const server = createServer((req, res) => {
    const fault = req.url === faultPath ? faults.shift() : undefined;
    if (req.url === faultPath) seen.push(fault ?? "pass");
    if (fault === "reset") return void req.socket.destroy();
    if (fault) {
      req.resume();
      const body = { error: { code: fault === "503" ? "database_unavailable" : "rate_limited", message: "Retry later.", requestId: "req_proxy" } };
      return void res.writeHead(Number(fault), { "content-type": "application/json", "retry-after": fault === "503" ? "1" : "0" }).end(JSON.stringify(body));
    }
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  const baseUrl = await listen(server);
  return {
    baseUrl,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
