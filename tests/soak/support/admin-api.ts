// The admin API over HTTP with an admin API key, as an operator's script would call it. Every
// call answers { status, body, ms }: the soak scripts count statuses rather than throw, since a
// lost race (409) is a normal answer when operators and the controller act at once.

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  /** Request sent to body read, in ms. */
  ms: number;
}

export interface Stage {
  percent: number;
  minDurationSec: number;
  minSamples: number;
}

export interface RolloutView {
  id: string;
  status: "running" | "paused" | "promoted" | "rolled_back" | "aborted";
  currentStage: number;
  percent: number;
  stageStartedAt: string;
  revision: number;
  awaitingApproval: boolean;
  stages: Stage[];
}

export interface ConfigView {
  config: { id: string; key: string; revision: number; stableVersion: { id: string; label: string } | null };
  activeRollout: RolloutView | null;
}

export type RolloutAction = "pause" | "resume" | "advance" | "promote" | "rollback" | "abort" | "revert";

export interface StartOptions {
  stages?: Stage[];
  include?: string[];
  exclude?: string[];
  sticky?: boolean;
  autoPromote?: boolean;
  revision?: number;
}

function versionSettings(label: string, config: string) {
  return { label, model: "gpt-4o-mini", systemPrompt: `You answer questions for ${config} (${label}).`, temperature: 0.5, maxTokens: 400 };
}

export class AdminApi {
  constructor(
    readonly baseUrl: string,
    private readonly authorization: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}/api/admin${path}`, {
      method,
      headers: { authorization: this.authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, ms: performance.now() - started };
  }

  /** Like call(), but any status other than `expected` throws with the answer. */
  async must<T = Record<string, unknown>>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== expected) {
      throw new Error(`${method} /api/admin${path} answered ${answer.status}, expected ${expected}: ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    return answer.body;
  }

  createConfig(key: string): Promise<unknown> {
    return this.must(201, "POST", "/configs", { key, name: key });
  }

  async createVersion(config: string, label: string): Promise<string> {
    return (await this.must<{ id: string }>(201, "POST", `/configs/${config}/versions`, versionSettings(label, config))).id;
  }

  /** Each config with a first version "v1", its stable one; the v1 ids by config key. */
  async createConfigs(keys: readonly string[]): Promise<Record<string, string>> {
    const v1: Record<string, string> = {};
    for (const key of keys) {
      await this.createConfig(key);
      v1[key] = await this.createVersion(key, "v1");
    }
    return v1;
  }

  startRollout(config: string, canaryVersionId: string, options: StartOptions = {}): Promise<Answer<RolloutView>> {
    return this.call<RolloutView>("POST", `/configs/${config}/rollouts`, { canaryVersionId, ...options });
  }

  act(rolloutId: string, action: RolloutAction, body: { reason?: string; revision?: number } = {}): Promise<Answer<RolloutView>> {
    return this.call<RolloutView>("POST", `/rollouts/${rolloutId}/${action}`, body);
  }

  rollbackConfig(config: string, reason: string): Promise<Answer<RolloutView>> {
    return this.call<RolloutView>("POST", `/configs/${config}/rollback`, { reason });
  }

  config(key: string): Promise<ConfigView> {
    return this.must<ConfigView>(200, "GET", `/configs/${key}`);
  }

  rollout(id: string): Promise<RolloutView> {
    return this.must<RolloutView>(200, "GET", `/rollouts/${id}`);
  }
}
