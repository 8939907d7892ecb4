import type { IncomingMessage, ServerResponse } from "node:http";
import { KeyUsage } from "../auth/key-usage";
import type { ApiKeyScope } from "../auth/scopes";
import type { Database } from "../db/client";
import { MethodNotAllowedError } from "../errors";
import { newRequestId } from "../http/respond";
import { recordFeedback } from "../metrics/feedback-service";
import { storeOn } from "../metrics/ingest-repo";
import { ingestBatch } from "../metrics/ingest-service";
import { recordScores } from "../metrics/late-score-service";
import { METRICS_MAX_BODY_BYTES } from "../metrics/schemas";
import { isMaybeNewer } from "../snapshot/miss";
import type { Snapshot } from "../snapshot/snapshot";
import { SnapshotStore, type SnapshotStoreOptions } from "../snapshot/store";
import { authenticateClient } from "./client-auth";
import { corsHeaders, preflightHeaders } from "./cors";
import { readJsonBody, readJsonBodyThen, send, sendError, type HotResponse } from "./http";
import { answerRoute } from "./route-handler";
import { answerRoutingState } from "./routing-state";

// The client API — /api/route, /api/metrics, /api/scores, /api/feedback — served by the custom server itself,
// ahead of Next (see README, Decisions): every other request goes to Next's handler.

export const CLIENT_API_PATHS = ["/api/route", "/api/routing-state", "/api/metrics", "/api/scores", "/api/feedback"] as const;

const KEY_USAGE_FLUSH_MS = 10_000;
/** Route and feedback bodies are small; /api/metrics and /api/scores have their own, larger limit. */
const SMALL_BODY_MAX_BYTES = 64_000;

export interface ClientApi {
  /** Serves the request when its path is a client API path; false hands it to the next handler. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  readonly store: SnapshotStore;
  /** Keys' last use, noted in memory and written on a timer (the gateway notes its keys here too). */
  readonly usage: KeyUsage;
  stop(): Promise<void>;
}

export interface ClientApiOptions extends SnapshotStoreOptions {
  /** Origins browsers may call from: "*" (the default) or exact origins. */
  corsOrigins?: readonly string[];
  /** Told which rollouts an ingested batch (of outcomes or late scores) added to (the controller judges them at once). */
  onIngested?: (rolloutIds: readonly string[]) => void;
}

export async function startClientApi(db: Database, options: ClientApiOptions = {}): Promise<ClientApi> {
  const corsOrigins = options.corsOrigins ?? ["*"];
  const store = new SnapshotStore(db, options);
  await store.start();
  const usage = new KeyUsage();
  const outcomes = storeOn(db);
  const flushTimer = setInterval(() => void usage.flush(db.prisma).catch(() => undefined), KEY_USAGE_FLUSH_MS);
  flushTimer.unref();

  const snapshotHeaders = (): Record<string, string> | undefined => {
    if (store.live) return undefined;
    const ageSeconds = Math.round((Date.now() - store.current.loadedAt.getTime()) / 1000);
    return { "x-canary-snapshot": "stale", "x-canary-snapshot-age": String(ageSeconds) };
  };
  /** The answer, told stale when the snapshot may be (no copy while it is live, the common case). */
  const withSnapshotHeaders = (answer: HotResponse): HotResponse => {
    const headers = snapshotHeaders();
    return headers ? { ...answer, headers: { ...answer.headers, ...headers } } : answer;
  };

  /** Answers from the current snapshot; on a possible miss, once more from a fresher one. */
  async function withSnapshot<T>(answer: (snapshot: Snapshot) => Promise<T> | T): Promise<T> {
    try {
      return await answer(store.current);
    } catch (error) {
      if (!isMaybeNewer(error)) throw error;
      return answer(await store.refreshAfterMiss());
    }
  }

  /**
   * GET and POST /api/route, the one path: the key checked before any body is read, a POST's
   * small body read with callbacks, then the answer (with `variables` rendered).
   */
  function route(req: IncomingMessage, url: string, q: number, requestId: string, reply: (answer: HotResponse) => void, fail: (error: unknown) => void): void {
    const answerWith = (key: ReturnType<typeof authenticateClient>, input: unknown, source: "query" | "request body") =>
      store.answerNowOrAfterRefresh((snapshot) => withSnapshotHeaders(answerRoute(snapshot, key, input, source, requestId)), reply, fail);
    store.answerNowOrAfterRefresh(
      (snapshot) => authenticateClient(snapshot, req.headers.authorization, "route", usage),
      (key) => {
        if (req.method === "GET") return answerWith(key, Object.fromEntries(new URLSearchParams(q === -1 ? "" : url.slice(q + 1))), "query");
        readJsonBodyThen(req, SMALL_BODY_MAX_BYTES, (error, body) => (error ? fail(error) : answerWith(key, body, "request body")));
      },
      fail,
    );
  }

  async function serve(path: string, req: IncomingMessage): Promise<HotResponse> {
    const method = req.method ?? "GET";
    const query = method === "GET" ? Object.fromEntries(new URL(req.url ?? "/", "http://x").searchParams) : null;
    // Authenticate before reading a body, so an unknown caller cannot make this process read one.
    const authenticate = (scope: ApiKeyScope) =>
      withSnapshot((snapshot) => authenticateClient(snapshot, req.headers.authorization, scope, usage));
    if (path === "/api/routing-state") {
      if (method !== "GET") throw new MethodNotAllowedError(["GET"]);
      const key = await authenticate("route");
      return withSnapshot((snapshot) => withSnapshotHeaders(answerRoutingState(snapshot, key, query!, req.headers["if-none-match"])));
    }
    // GET and POST are answered by route(), ahead of this.
    if (path === "/api/route") throw new MethodNotAllowedError(["GET", "POST"]);
    if (method !== "POST") throw new MethodNotAllowedError(["POST"]);
    const key = await authenticate("metrics");
    if (path === "/api/metrics") {
      const body = await readJsonBody(req, METRICS_MAX_BODY_BYTES);
      return withSnapshot(async (snapshot) => {
        const { answer, rolloutIds } = await ingestBatch(outcomes, snapshot, key, body);
        if (rolloutIds.length) options.onIngested?.(rolloutIds);
        return { status: 202, json: JSON.stringify(answer) };
      });
    }
    if (path === "/api/scores") {
      const body = await readJsonBody(req, METRICS_MAX_BODY_BYTES);
      return withSnapshot(async (snapshot) => {
        const { answer, rolloutIds } = await recordScores(db, snapshot, key, body);
        if (rolloutIds.length) options.onIngested?.(rolloutIds);
        return { status: 202, json: JSON.stringify(answer) };
      });
    }
    const body = await readJsonBody(req, SMALL_BODY_MAX_BYTES);
    return { status: 202, json: JSON.stringify(await recordFeedback(db.prisma, key, body)) };
  }

  return {
    store,
    usage,
    handle(req, res) {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q === -1 ? url : url.slice(0, q);
      if (!(CLIENT_API_PATHS as readonly string[]).includes(path)) return false;
      const requestId = newRequestId();
      const origin = req.headers.origin;
      if (req.method === "OPTIONS") {
        res.writeHead(204, preflightHeaders(corsOrigins, origin)).end();
        return true;
      }
      const cors = corsHeaders(corsOrigins, origin);
      const reply = (answer: HotResponse) => send(res, requestId, answer, cors);
      const fail = (error: unknown) => sendError(res, requestId, error, cors);
      if (path === "/api/route" && (req.method === "GET" || req.method === "POST")) {
        route(req, url, q, requestId, reply, fail);
        return true;
      }
      serve(path, req).then(reply, fail);
      return true;
    },
    async stop() {
      clearInterval(flushTimer);
      await store.stop();
      await usage.flush(db.prisma).catch(() => undefined);
    },
  };
}
