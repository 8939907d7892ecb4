import { randomBytes } from "node:crypto";
import * as evaluatorRoute from "../../app/api/admin/configs/[key]/evaluators/[id]/route";
import * as evaluatorsRoute from "../../app/api/admin/configs/[key]/evaluators/route";
import * as logRoute from "../../app/api/admin/rollouts/[id]/evaluations/route";
import type { Actor } from "../../lib/auth/actor";
import type { Db } from "../../lib/db/types";
import { createProvider } from "../../lib/providers/connection-service";
import { call } from "./call";
import type { ProviderProcess } from "./openai-compatible-process";

// What the evaluator tests share: the evaluator endpoints as real handlers, a connection to the
// OpenAI-compatible test server (a process of its own), and outcome events whose output sample
// is what the test server's judge echoes back (it answers "Echo: <the prompt>", so a prompt of
// `{{output}}` makes the judge say the number the output holds).

export const system: Actor = { type: "system", id: null, label: "test", scopes: [] };

export function evaluatorCalls(admin: string) {
  return {
    list: (key: string) => call(evaluatorsRoute.GET, "GET", { auth: admin, params: { key } }),
    create: (key: string, body: unknown, who: { auth?: string; cookie?: string } = { auth: admin }) => call(evaluatorsRoute.POST, "POST", { ...who, params: { key }, body }),
    patch: (key: string, id: string, body: unknown) => call(evaluatorRoute.PATCH, "PATCH", { auth: admin, params: { key, id }, body }),
    remove: (key: string, id: string) => call(evaluatorRoute.DELETE, "DELETE", { auth: admin, params: { key, id } }),
    log: (rolloutId: string, query: Record<string, string> = {}) => call(logRoute.GET, "GET", { auth: admin, params: { id: rolloutId }, query }),
  };
}

/** A connection to the test provider; `headers` steer it (x-test-status, x-test-delay-ms). */
export async function connectTo(db: Db, provider: ProviderProcess, name: string, apiKey: string, headers: Record<string, string> = {}): Promise<string> {
  return (await createProvider(db, system, { name, baseUrl: `${provider.origin}/v1`, apiKey, headers })).id;
}

export const providerKey = () => `sk-eval-${randomBytes(12).toString("hex")}`;

/** The chat-completion requests the test provider received. */
export async function chatRequests(provider: ProviderProcess): Promise<{ body: { messages: { content: string }[] } }[]> {
  const { requests } = (await (await fetch(`${provider.origin}/_requests`)).json()) as { requests: { path: string; body: { messages: { content: string }[] } }[] };
  return requests.filter((r) => r.path.endsWith("/chat/completions"));
}

/** A judge that reads the number the output holds, on the score's 0..1. */
export const echoJudge = (scoreKey: string, providerId: string) => ({
  name: "echo judge",
  scoreKey,
  providerId,
  model: "test-judge",
  prompt: "{{output}}",
  answer: { format: "number" },
  sampleRate: 1,
  minPerMinute: 0,
  maxPerMinute: 10_000,
});
