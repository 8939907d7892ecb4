import type { IncomingMessage, ServerResponse } from "node:http";
import { KeyUsage } from "../auth/key-usage";
import type { ApiKeyScope } from "../auth/scopes";
import type { Database } from "../db/client";
import { MethodNotAllowedError } from "../errors";
import { newRequestId } from "../http/respond";
import { recordFeedback } from "../metrics/feedback-service";
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
  const flushTimer = setInterval(() => void usage.flush(db.prisma).catch(() => undefined), KEY_USAGE_FLUSH_MS);
  flushTimer.unref();

  const snapshotHeaders = (): Record<string, string> | undefined => {
    if (store.live) return undefined;
    const ageSeconds = Math.round((Date.now() - store.current.loadedAt.getTime()) / 1000);
    return { "x-canary-snapshot": "stale", "x-canary-snapshot-age": String(ageSeconds) };
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

  /** GET /api/route from the current snapshot, or null when the answer may need a fresher one. */
  function routeNow(req: IncomingMessage, url: string, q: number, requestId: string): HotResponse | null {
    try {
      const snapshot = store.current;
      const key = authenticateClient(snapshot, req.headers.authorization, "route", usage);
      const query = Object.fromEntries(new URLSearchParams(q === -1 ? "" : url.slice(q + 1)));
      return { ...answerRoute(snapshot, key, query, "query", requestId), headers: snapshotHeaders() };
    } catch (error) {
      if (isMaybeNewer(error)) return null;
      throw error;
    }
  }

  /**
   * POST /api/route (the answer with `variables` rendered) as GET is answered: without a promise,
   * the body read with callbacks. An unknown key or config may be newer than the snapshot: the key
   * goes the async way (serve), a config miss refreshes the snapshot once.
   */
  function routePostNow(req: IncomingMessage, requestId: string, reply: (answer: HotResponse) => void, fail: (error: unknown) => void): void {
    let key: ReturnType<typeof authenticateClient>;
    try {
      key = authenticateClient(store.current, req.headers.authorization, "route", usage);
    } catch (error) {
      if (!isMaybeNewer(error)) return fail(error);
      return void serve("/api/route", req, requestId).then(reply, fail);
    }
    readJsonBodyThen(req, SMALL_BODY_MAX_BYTES, (error, body) => {
      if (error) return fail(error);
      const answer = (snapshot: Snapshot) => ({ ...answerRoute(snapshot, key, body, "request body", requestId), headers: snapshotHeaders() });
      let result: HotResponse;
      try {
        result = answer(store.current);
      } catch (miss) {
        if (!isMaybeNewer(miss)) return fail(miss);
        return void store.refreshAfterMiss().then((snapshot) => answer(snapshot)).then(reply, fail);
      }
      reply(result);
    });
  }

  async function serve(path: string, req: IncomingMessage, requestId: string): Promise<HotResponse> {
    const method = req.method ?? "GET";
    const query = method === "GET" ? Object.fromEntries(new URL(req.url ?? "/", "http://x").searchParams) : null;
    // Authenticate before reading a body, so an unknown caller cannot make this process read one.
    const authenticate = (scope: ApiKeyScope) =>
      withSnapshot((snapshot) => authenticateClient(snapshot, req.headers.authorization, scope, usage));
    if (path === "/api/routing-state") {
      if (method !== "GET") throw new MethodNotAllowedError(["GET"]);
      const key = await authenticate("route");
      return withSnapshot((snapshot) => {
        const answer = answerRoutingState(snapshot, key, query!, req.headers["if-none-match"]);
        return { ...answer, headers: { ...answer.headers, ...snapshotHeaders() } };
      });
    }
    if (path === "/api/route") {
      if (method !== "GET" && method !== "POST") throw new MethodNotAllowedError(["GET", "POST"]);
      const key = await authenticate("route");
      const input = query ?? (await readJsonBody(req, SMALL_BODY_MAX_BYTES));
      return withSnapshot((snapshot) => ({
        ...answerRoute(snapshot, key, input, query ? "query" : "request body", requestId),
        headers: snapshotHeaders(),
      }));
    }
    if (method !== "POST") throw new MethodNotAllowedError(["POST"]);
    const key = await authenticate("metrics");
    if (path === "/api/metrics") {
      const body = await readJsonBody(req, METRICS_MAX_BODY_BYTES);
      return withSnapshot(async (snapshot) => {
        const { answer, rolloutIds } = await ingestBatch(db, snapshot, key, body);
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
      if (path === "/api/route" && req.method === "POST") {
        routePostNow(
          req,
          requestId,
          (answer) => send(res, requestId, { ...answer, headers: { ...answer.headers, ...cors } }),
          (error) => sendError(res, requestId, error, cors),
        );
        return true;
      }
      if (path === "/api/route" && req.method === "GET") {
        // The common case answered at once, without a promise (see checkApiKeyNow); a possible
        // miss (an unknown key or config) takes the path below, which may refresh the snapshot.
        let answer: HotResponse | null;
        try {
          answer = routeNow(req, url, q, requestId);
        } catch (error) {
          sendError(res, requestId, error, cors);
          return true;
        }
        if (answer) {
          send(res, requestId, { ...answer, headers: { ...answer.headers, ...cors } });
          return true;
        }
      }
      serve(path, req, requestId).then(
        (answer) => send(res, requestId, { ...answer, headers: { ...answer.headers, ...cors } }),
        (error: unknown) => sendError(res, requestId, error, cors),
      );
      return true;
    },
    async stop() {
      clearInterval(flushTimer);
      await store.stop();
      await usage.flush(db.prisma).catch(() => undefined);
    },
  };
}
