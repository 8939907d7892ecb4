import type { IncomingMessage, ServerResponse } from "node:http";
import { keyMayUseConfig } from "../auth/api-key-configs";
import type { KeyUsage } from "../auth/key-usage";
import type { Database } from "../db/client";
import { AppError, MethodNotAllowedError } from "../errors";
import { authenticateClient } from "../hot/client-auth";
import { readJsonBody } from "../hot/http";
import { newRequestId } from "../http/respond";
import { isMaybeNewer } from "../snapshot/miss";
import type { Snapshot } from "../snapshot/snapshot";
import type { SnapshotStore } from "../snapshot/store";
import { CallRecord } from "./call-record";
import { parseChatBody, prepareCall } from "./chat-call";
import { answerCall, reply, type CallOptions } from "./chat-handler";
import { openAiError } from "./openai-errors";
import { OutcomeRecorder, type RecorderOptions } from "./recorder";
import { GATEWAY_MAX_BODY_BYTES, type ModelListDto } from "./schemas";

// The OpenAI-compatible gateway, served by the custom server ahead of Next like the client API
// (lib/server/app-server.ts), from the client API's routing snapshot and with its keys: an app
// points its official OpenAI client at <server>/v1 with a key of the `gateway` scope, names the
// config as the model and its user as `user`, and the gateway routes, calls the version's
// provider connection, relays the answer and records the outcome.

export const GATEWAY_PATHS = ["/v1/chat/completions", "/v1/models"] as const;

export interface GatewayOptions extends Partial<CallOptions> {
  /** The client API's snapshot store and key-usage tally: one routing state, one `lastUsedAt`. */
  store: SnapshotStore;
  usage: KeyUsage;
  /** On stop: how long calls in flight may go on, then how long the recorder may take to store what is left. */
  drainMs?: number;
  recorder?: Omit<RecorderOptions, "log" | "onIngested">;
  onIngested?: (rolloutIds: readonly string[]) => void;
  log?: (message: string) => void;
}

export interface Gateway {
  /** Serves the request when its path is a gateway path; false hands it to the next handler. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  readonly recorder: OutcomeRecorder;
  /** Refuses new calls, lets those in flight finish (at most drainMs), and stores every outcome. */
  stop(): Promise<void>;
}

const DEFAULTS = { timeoutMs: 300_000, idleTimeoutMs: 120_000, drainMs: 10_000 };

export function startGateway(db: Database, options: GatewayOptions): Gateway {
  const { store, usage } = options;
  const callOptions: CallOptions = { timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs, idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs };
  const drainMs = options.drainMs ?? DEFAULTS.drainMs;
  const recorder = new OutcomeRecorder(db, () => store.current, { ...options.recorder, onIngested: options.onIngested, log: options.log });
  const inFlight = new Map<ServerResponse, Promise<void>>();
  let stopping = false;

  /** From the current snapshot; on a possible miss (a key or config newer than it), once more from a fresher one. */
  async function withSnapshot<T>(answer: (snapshot: Snapshot) => T): Promise<T> {
    try {
      return answer(store.current);
    } catch (error) {
      if (!isMaybeNewer(error)) throw error;
      return answer(await store.refreshAfterMiss());
    }
  }

  const authenticate = (req: IncomingMessage) => withSnapshot((snapshot) => authenticateClient(snapshot, req.headers.authorization, "gateway", usage));

  async function chat(req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, at: number): Promise<void> {
    let prepared;
    try {
      const key = await authenticate(req);
      const input = parseChatBody(await readJsonBody(req, GATEWAY_MAX_BODY_BYTES));
      prepared = await withSnapshot((snapshot) => ({ snapshot, call: prepareCall(snapshot, key, input, req.headers) }));
    } catch (error) {
      return reply(res, requestId, openAiError(error, requestId));
    }
    const { snapshot, call } = prepared;
    const { sampleRate } = call.config.gateway;
    const record = new CallRecord(call, requestId, startedAt, at, sampleRate > 0 && Math.random() < sampleRate);
    await answerCall(req, res, snapshot, call, record, recorder, callOptions);
  }

  async function models(req: IncomingMessage): Promise<ModelListDto> {
    const key = await authenticate(req);
    const configs = [...store.current.configsByKey.values()].filter((c) => c.stable && keyMayUseConfig(key, c.key));
    const data = configs.map((c) => ({ id: c.key, object: "model" as const, created: Math.floor(c.createdAt.getTime() / 1000), owned_by: "llm-canary" as const }));
    return { object: "list", data: data.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
  }

  function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const requestId = newRequestId();
    const startedAt = performance.now();
    const at = Date.now();
    const fail = (error: unknown) => reply(res, requestId, openAiError(error, requestId));
    if (stopping) return Promise.resolve(fail(new AppError(503, "shutting_down", "The server is shutting down; send the call again (to another instance).", undefined, { "Retry-After": "1" })));
    if (path === "/v1/models") {
      if (req.method !== "GET") return Promise.resolve(fail(new MethodNotAllowedError(["GET"])));
      return models(req).then((list) => reply(res, requestId, { status: 200, json: JSON.stringify(list) }), fail);
    }
    if (req.method !== "POST") return Promise.resolve(fail(new MethodNotAllowedError(["POST"])));
    return chat(req, res, requestId, startedAt, at).catch(fail);
  }

  return {
    recorder,
    handle(req, res) {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q === -1 ? url : url.slice(0, q);
      if (!(GATEWAY_PATHS as readonly string[]).includes(path)) return false;
      const served = serve(req, res, path).finally(() => inFlight.delete(res));
      inFlight.set(res, served);
      return true;
    },
    async stop() {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([Promise.all(inFlight.values()), grace]);
      clearTimeout(timer);
      // Calls still going after the grace are cut off (recorded as client_closed), then everything is stored.
      for (const res of inFlight.keys()) res.destroy();
      await Promise.all(inFlight.values());
      await recorder.stop(drainMs);
    },
  };
}
