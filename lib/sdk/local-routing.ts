import type { z } from "zod";
import type { RouteAnswerDto } from "../hot/route-schemas";
import type { RoutingStateDto } from "../hot/routing-state";
import { systemPromptOf } from "../release/llm-template";
import { pickVersion, route as routeUser, type Variant } from "../release/router";
import { llmFor } from "./render";
import { CanaryError, errorFrom, holdProcess, isRecord, type Transport } from "./transport";

// Local evaluation: each config's routing state (versions, salt, percent, lists) fetched from
// /api/routing-state, revalidated in the background with If-None-Match (304 while unchanged),
// and users routed in-process by the server's own pure router, so the answers are identical.
// When the server cannot be reached the last state keeps serving.

/**
 * A version's LLM settings as the server answers them: the fields of lib/release/llm-settings.ts,
 * `systemPrompt` (the first system message), and `rendered` when variables were given. The SDK's
 * types are the server's schemas' (type-only imports: nothing of zod runs in the SDK).
 */
export type LlmSettings = z.output<typeof RouteAnswerDto>["llm"];
export type TemplateMessage = LlmSettings["messages"][number];

/** Fields every version has, whatever its settings: what `defaults` leave out is filled as the server fills it. */
const OPTIONAL_SETTINGS: Omit<LlmSettings, "model" | "messages" | "temperature" | "maxTokens" | "systemPrompt" | "rendered"> = {
  provider: null,
  providerId: null,
  topP: 1,
  stop: [],
  seed: null,
  tools: [],
  toolChoice: null,
  responseFormat: null,
  retrievalStrategy: null,
  params: {},
  variables: [],
};

/**
 * A config's fallback LLM settings: what to use when the server was never reached. `messages`, or
 * (as before) `systemPrompt` for one system message; omitted fields get the server's defaults.
 */
export type DefaultSettings = Pick<LlmSettings, "model" | "temperature" | "maxTokens"> &
  Partial<Omit<LlmSettings, "model" | "temperature" | "maxTokens" | "messages" | "systemPrompt" | "rendered">> &
  ({ messages: TemplateMessage[]; systemPrompt?: never } | { systemPrompt: string; messages?: never });

/**
 * Where an answer came from: `server` (POST /api/route), `local` (routed in-process from a
 * current routing state), `stale` (the last state or stable answer, because the server could
 * not be reached), `default` (your `defaults`: no version was ever seen).
 */
export type RouteSource = "server" | "local" | "stale" | "default";

/** The server's /api/route answer, plus `source`. */
export interface RoutedAnswer {
  requestId: string;
  config: string;
  variant: Variant;
  versionId: string;
  versionLabel: string;
  rolloutId: string | null;
  llm: LlmSettings;
  source: Exclude<RouteSource, "default">;
}

/** Built from `defaults`: no version served it, so there is nothing to `report()`. */
export interface DefaultAnswer {
  requestId: string;
  config: string;
  variant: "stable";
  versionId: null;
  versionLabel: null;
  rolloutId: null;
  llm: LlmSettings;
  source: "default";
}

export type RouteAnswer = RoutedAnswer | DefaultAnswer;

/** GET /api/routing-state's answer. */
export type RoutingState = z.output<typeof RoutingStateDto>;

type Variables = Readonly<Record<string, string>> | undefined;

/** What the server's /api/route would answer for this user, computed (and rendered) the way it computes it. */
export function answerFromState(state: RoutingState, userId: string, requestId: string, source: RoutedAnswer["source"], variables?: Variables): RoutedAnswer {
  const stable = state.stable;
  if (!stable) throw new CanaryError("conflict", `Config \`${state.config}\` has no version yet; create one before routing to it.`, { status: 409 });
  const { variant, version } = pickVersion(routeUser(userId, state.rollout), stable, state.canary);
  return {
    requestId,
    config: state.config,
    variant,
    versionId: version.versionId,
    versionLabel: version.versionLabel,
    rolloutId: state.rollout ? state.rollout.id : null,
    llm: llmFor(version.llm, variables),
    source,
  };
}

export function defaultAnswer(config: string, settings: DefaultSettings, requestId: string, variables?: Variables): DefaultAnswer {
  const { systemPrompt, messages, ...rest } = settings;
  const list = messages ?? [{ role: "system" as const, content: systemPrompt ?? "" }];
  const llm = llmFor({ ...OPTIONAL_SETTINGS, ...rest, messages: list, systemPrompt: systemPromptOf(list) }, variables);
  return { requestId, config, variant: "stable", versionId: null, versionLabel: null, rolloutId: null, llm, source: "default" };
}

interface Tracked {
  state: RoutingState | null;
  etag: string | null;
  fetching: Promise<void> | null;
  /** Why the last fetch failed; null after a success (200 or 304). */
  error: CanaryError | null;
}

export type LocalResult = { answer: RoutedAnswer } | { unavailable: CanaryError };

export class LocalRouter {
  private readonly tracked = new Map<string, Tracked>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly refreshMs: number,
    private readonly onError: (error: CanaryError) => void,
  ) {}

  /** Starts fetching these configs now, and keeps them fresh. */
  track(configs: readonly string[]): void {
    for (const config of configs) this.entry(config);
  }

  /** Resolves when every tracked config's first fetch has ended, successfully or not. */
  async ready(): Promise<void> {
    await Promise.all([...this.tracked.values()].map((t) => t.fetching));
  }

  /**
   * Routes from the config's state, fetching it first if it was never fetched. `unavailable`
   * when there is no state and the server cannot be reached; other failures (unknown config,
   * bad key) throw.
   */
  async route(config: string, userId: string, requestId: string, variables?: Variables): Promise<LocalResult> {
    const tracked = this.entry(config);
    if (!tracked.state && tracked.fetching) await tracked.fetching;
    if (tracked.state) return { answer: answerFromState(tracked.state, userId, requestId, tracked.error ? "stale" : "local", variables) };
    const error = tracked.error ?? new CanaryError("unavailable", `No routing state for \`${config}\` yet.`);
    if (error.unavailable) return { unavailable: error };
    // Refused (unknown config, bad key): ask again on the next route() rather than poll it forever.
    this.tracked.delete(config);
    throw error;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private entry(config: string): Tracked {
    let tracked = this.tracked.get(config);
    if (!tracked) {
      tracked = { state: null, etag: null, fetching: null, error: null };
      this.tracked.set(config, tracked);
      this.refresh(config, tracked);
      if (this.timer === null) {
        this.timer = setInterval(() => this.tracked.forEach((t, key) => this.refresh(key, t)), this.refreshMs);
        holdProcess(this.timer, false);
      }
    }
    return tracked;
  }

  private refresh(config: string, tracked: Tracked): void {
    if (tracked.fetching) return;
    tracked.fetching = this.fetchState(config, tracked).finally(() => {
      tracked.fetching = null;
    });
  }

  private async fetchState(config: string, tracked: Tracked): Promise<void> {
    try {
      const headers: Record<string, string> = tracked.etag ? { "if-none-match": tracked.etag } : {};
      const answer = await this.transport.request("GET", `/api/routing-state?config=${encodeURIComponent(config)}`, { headers });
      if (answer.status === 304 && tracked.state) {
        tracked.error = null;
        return;
      }
      if (answer.status !== 200) throw errorFrom(answer);
      if (!isRoutingState(answer.body)) throw new CanaryError("invalid_response", `The routing state of \`${config}\` is not shaped as expected.`);
      tracked.state = answer.body;
      tracked.etag = answer.headers.get("etag");
      tracked.error = null;
    } catch (caught) {
      tracked.error = caught instanceof CanaryError ? caught : new CanaryError("network_error", String(caught), { cause: caught });
      try {
        this.onError(tracked.error);
      } catch {
        // The callback's own failure must not stop refreshing.
      }
    }
  }
}

function isRoutingState(body: unknown): body is RoutingState {
  return isRecord(body) && typeof body.config === "string" && "stable" in body && "canary" in body && "rollout" in body;
}

/** `req_<uuid>`, as the server generates them; a fallback where crypto.randomUUID is missing (Node 18, old browsers). */
export function newRequestId(): string {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === "function") return `req_${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (crypto && typeof crypto.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `req_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
