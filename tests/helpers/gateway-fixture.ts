import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import type { Actor } from "../../lib/auth/actor";
import { setDatabase, type Database } from "../../lib/db/client";
import type { GatewayOptions } from "../../lib/gateway/gateway";
import { setPrice } from "../../lib/pricing/service";
import { createProvider } from "../../lib/providers/connection-service";
import { createConfig } from "../../lib/release/config-service";
import { createVersion } from "../../lib/release/version-service";
import { adminKey } from "./call";
import { startClientApiServer, type ClientApiServer } from "./client-api-server";
import { startProviderProcess, type ProviderProcess } from "./openai-compatible-process";
import { createTestDatabase } from "./test-database";

// The gateway in front of the OpenAI-compatible test provider (a process of its own), on a
// database of its own: a connection to the provider, a key with the `gateway` scope, the official
// `openai` client pointed at the gateway, and helpers to make configs and read what was recorded.

export const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

export interface ProviderRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown> & { messages?: { role: string; content?: unknown }[] };
  closedEarly: boolean;
}

export interface GatewayFixture {
  db: Database;
  provider: ProviderProcess;
  providerKey: string;
  /** The connection to the test provider. */
  providerId: string;
  srv: ClientApiServer;
  /** `Bearer <key>` with the gateway scope. */
  authorization: string;
  /** The official client, pointed at the gateway, no retries. */
  client: OpenAI;
  /** A config whose stable version has `llm` (model test-chat, the connection, a system prompt unless given). */
  config(key: string, llm?: Record<string, unknown>): Promise<{ versionId: string }>;
  /** What the test provider received, oldest first. */
  providerRequests(): Promise<ProviderRequest[]>;
  release(name: string): Promise<void>;
  /** Stores every outcome the gateway recorded so far, then reads them by request id (in no particular order). */
  outcomes(requestIds: readonly string[]): Promise<Awaited<ReturnType<Database["prisma"]["outcome"]["findMany"]>>>;
  close(): Promise<void>;
}

export const PRICE = { model: "test-chat", inputUsdPerMillion: 2, outputUsdPerMillion: 8 };

/** `database`: one the caller made and closes (a throwaway server it stops and starts); default: a test database of its own. */
export async function startGatewayFixture(gatewayOptions: Omit<GatewayOptions, "store" | "usage"> = {}, database?: Database): Promise<GatewayFixture> {
  process.env.LLM_CANARY_ENCRYPTION_KEY = randomBytes(32).toString("base64");
  process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "127.0.0.1";
  const db = database ?? (await createTestDatabase());
  setDatabase(db);
  const providerKey = `sk-gateway-${randomBytes(12).toString("hex")}`;
  const provider = await startProviderProcess({ apiKey: providerKey });
  const providerId = (await createProvider(db.prisma, system, { name: "local", baseUrl: `${provider.origin}/v1`, apiKey: providerKey })).id;
  await setPrice(db.prisma, system, PRICE);
  const authorization = await adminKey(db.prisma, ["gateway"]);
  const srv = await startClientApiServer(db, 60_000, gatewayOptions);
  const client = new OpenAI({ baseURL: `${srv.baseUrl}/v1`, apiKey: authorization.replace("Bearer ", ""), maxRetries: 0 });
  return {
    db,
    provider,
    providerKey,
    providerId,
    srv,
    authorization,
    client,
    async config(key, llm = {}) {
      await createConfig(db.prisma, system, { key, name: key });
      const version = await createVersion(db.prisma, system, key, {
        label: "v1",
        model: "test-chat",
        providerId,
        ...(llm.messages ? {} : { systemPrompt: `You answer for ${key}.` }),
        temperature: 0.3,
        maxTokens: 64,
        ...llm,
      });
      await srv.api.store.reload();
      return { versionId: version.id };
    },
    async providerRequests() {
      const answer = (await (await fetch(`${provider.origin}/_requests`)).json()) as { requests: ProviderRequest[] };
      return answer.requests;
    },
    async release(name) {
      await (await fetch(`${provider.origin}/_release/${name}`, { method: "POST" })).arrayBuffer();
    },
    async outcomes(requestIds) {
      await srv.gateway.recorder.flush();
      return db.prisma.outcome.findMany({ where: { requestId: { in: [...requestIds] } }, orderBy: { id: "asc" } });
    },
    async close() {
      process.env.LLM_CANARY_ALLOW_PRIVATE_NETWORKS = "true";
      await srv?.close();
      await provider?.stop();
      if (!database) await db?.close();
    },
  };
}
