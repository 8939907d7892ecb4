import type { IncomingMessage, ServerResponse } from "node:http";
import { assertKeyMayUseConfig, keyMayUseConfig, type ConfigLimitedKey } from "../auth/api-key-configs";
import type { KeyUsage } from "../auth/key-usage";
import type { Database } from "../db/client";
import { AppError, MethodNotAllowedError, NotFoundError } from "../errors";
import { authenticateClient } from "../hot/client-auth";
import { readJsonBodyThen } from "../hot/http";
import { newRequestId } from "../http/respond";
import { storeOn, type OutcomeStore } from "../metrics/ingest-repo";
import { mayKeepSamples } from "../release/sample-policy";
import type { ConfigEntry, Snapshot } from "../snapshot/snapshot";
import type { SnapshotStore } from "../snapshot/store";
import { CallRecord } from "./call-record";
import { InFlight } from "./in-flight";
import { configKeyOf, parseChatBody, prepareCall } from "./chat-call";
import { answerCall, reply, type CallOptions } from "./chat-handler";
import { openAiError } from "./openai-errors";
import { OutcomeRecorder, type RecorderOptions } from "./recorder";
import { registerGatewayRecorder, unregisterGatewayRecorder } from "./registry";
import { GATEWAY_MAX_BODY_BYTES, type ChatCompletionInput, type ModelDto, type ModelListDto } from "./schemas";

// The OpenAI-compatible gateway, served by the custom server ahead of Next like the client API
// (lib/server/app-server.ts), from the client API's routing snapshot and with its keys: an app
// points its official OpenAI client at <server>/v1 with a key of the `gateway` scope, names the
// config as the model and its user as `user`, and the gateway routes, calls the version's
// provider connection, relays the answer and records the outcome.

export const GATEWAY_PATHS = ["/v1/chat/completions", "/v1/models", "/v1/models/{model}"] as const;

const MODEL_PATH = "/v1/models/";

/** Whether the custom server should hand the path to the gateway. */
function isGatewayPath(path: string): boolean {
  return path === "/v1/chat/completions" || path === "/v1/models" || (path.startsWith(MODEL_PATH) && path.length > MODEL_PATH.length);
}

/** `/v1/models/canary%2Fsupport-chat` (clients encode the slash) or `/v1/models/canary/support-chat`. */
function modelInPath(path: string): string {
  const raw = path.slice(MODEL_PATH.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not a config key either: answered 404 like any unknown name
  }
}

const modelOf = (c: ConfigEntry): ModelDto => ({ id: c.key, object: "model", created: Math.floor(c.createdAt.getTime() / 1000), owned_by: "llm-canary" });

export interface GatewayOptions extends Partial<CallOptions> {
  /** The client API's snapshot store and key-usage tally: one routing state, one `lastUsedAt`. */
  store: SnapshotStore;
  usage: KeyUsage;
  /** On stop: how long calls in flight may go on, then how long the recorder may take to store what is left. */
  drainMs?: number;
  recorder?: Omit<RecorderOptions, "log" | "onIngested">;
  /** Where outcomes are stored; default: on `db` in this thread. */
  storeOutcomes?: OutcomeStore;
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
  const recorder = new OutcomeRecorder(options.storeOutcomes ?? storeOn(db), { ...options.recorder, onIngested: options.onIngested, log: options.log });
  registerGatewayRecorder(recorder);
  /** The calls being served: stop() waits for them. */
  const inFlight = new InFlight<ServerResponse>();
  let stopping = false;

  const authenticate = (snapshot: Snapshot, req: IncomingMessage) => authenticateClient(snapshot, req.headers.authorization, "gateway", usage);

  /** The key checked before the body is read, then the call prepared and served; `done` once it is over. */
  function chat(req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, at: number, done: () => void): void {
    const fail = (error: unknown) => {
      reply(res, requestId, openAiError(error, requestId));
      done();
    };
    store.answerNowOrAfterRefresh(
      (snapshot) => authenticate(snapshot, req),
      (key) =>
        readJsonBodyThen(req, GATEWAY_MAX_BODY_BYTES, (error, raw) => {
          if (error) return fail(error);
          let input: ChatCompletionInput;
          try {
            input = parseChatBody(raw);
          } catch (refusal) {
            return fail(refusal);
          }
          store.answerNowOrAfterRefresh(
            (snapshot) => ({ snapshot, call: prepareCall(snapshot, key, input, req.headers) }),
            ({ snapshot, call }) => {
              const record = new CallRecord(call, requestId, startedAt, at, mayKeepSamples(call.config.samplePolicy, requestId));
              try {
                answerCall(res, snapshot, call, record, recorder, callOptions, done);
              } catch (failure) {
                // Run from the request's events: nothing may escape to the event loop (a 500 instead).
                if (!res.headersSent) return fail(failure);
                res.destroy();
                done();
              }
            },
            fail,
          );
        }),
      fail,
    );
  }

  /** The configs the key may use, with a version to call, as OpenAI model objects (sorted), or the one `model` names. */
  function models(req: IncomingMessage, res: ServerResponse, requestId: string, named: string | null, done: () => void): void {
    const answer = (key: ConfigLimitedKey) => {
      const usable = (c: ConfigEntry) => c.stable !== null && keyMayUseConfig(key, c.key);
      let json: string;
      if (named === null) {
        const data = [...store.current.configsByKey.values()].filter(usable).map(modelOf);
        json = JSON.stringify({ object: "list", data: data.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) } satisfies ModelListDto);
      } else {
        // As a chat completion naming it would be answered: 403 for a config the key is not limited to.
        const configKey = configKeyOf(named);
        assertKeyMayUseConfig(key, configKey, "model");
        const config = store.current.configsByKey.get(configKey);
        if (!config?.stable) throw new NotFoundError(`No config \`${named}\` with a version to call; GET /v1/models lists them.`, [{ path: "model", message: "names no config with a version" }]);
        json = JSON.stringify(modelOf(config) satisfies ModelDto);
      }
      reply(res, requestId, { status: 200, json });
      done();
    };
    const fail = (error: unknown) => {
      reply(res, requestId, openAiError(error, requestId));
      done();
    };
    store.answerNowOrAfterRefresh((snapshot) => authenticate(snapshot, req), (key) => {
      try {
        answer(key);
      } catch (error) {
        fail(error);
      }
    }, fail);
  }

  function serve(req: IncomingMessage, res: ServerResponse, path: string, done: () => void): void {
    const requestId = newRequestId();
    const startedAt = performance.now();
    const at = Date.now();
    const refuse = (error: unknown) => {
      reply(res, requestId, openAiError(error, requestId));
      done();
    };
    if (stopping) return refuse(new AppError(503, "shutting_down", "The server is shutting down; send the call again (to another instance).", undefined, { "Retry-After": "1" }));
    if (path.startsWith("/v1/models")) {
      if (req.method !== "GET") return refuse(new MethodNotAllowedError(["GET"]));
      return models(req, res, requestId, path === "/v1/models" ? null : modelInPath(path), done);
    }
    if (req.method !== "POST") return refuse(new MethodNotAllowedError(["POST"]));
    chat(req, res, requestId, startedAt, at, done);
  }

  /** Resolves once no call is in flight. */
  let idle: { promise: Promise<void>; resolve: () => void } | null = null;
  const whenIdle = (): Promise<void> => {
    if (inFlight.size === 0) return Promise.resolve();
    if (!idle) {
      let resolve!: () => void;
      idle = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    }
    return idle.promise;
  };

  return {
    recorder,
    handle(req, res) {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q === -1 ? url : url.slice(0, q);
      if (!isGatewayPath(path)) return false;
      const slot = inFlight.add(res);
      serve(req, res, path, () => {
        inFlight.remove(slot, res);
        if (inFlight.size === 0 && idle) {
          idle.resolve();
          idle = null;
        }
      });
      return true;
    },
    async stop() {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([whenIdle(), grace]);
      clearTimeout(timer);
      // Calls still going after the grace are cut off (recorded as client_closed), then everything is stored.
      for (const res of inFlight.items()) res.destroy();
      await whenIdle();
      await recorder.stop(drainMs);
      unregisterGatewayRecorder(recorder);
    },
  };
}
