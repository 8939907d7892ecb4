import fc from "fast-check";
import { actOnRollout } from "../../lib/analysis/rollout-actions";
import type { Actor } from "../../lib/auth/actor";
import { createApiKey } from "../../lib/auth/api-key-service";
import { createUser } from "../../lib/auth/user-service";
import { createAlertChannel } from "../../lib/alerts/channel-service";
import type { Db } from "../../lib/db/types";
import type { Endpoint } from "../../lib/openapi/endpoints";
import { createEvaluator } from "../../lib/evaluators/service";
import { createProvider } from "../../lib/providers/connection-service";
import { createConfig } from "../../lib/release/config-service";
import { startRollout } from "../../lib/release/rollout-service";
import { setPrice } from "../../lib/pricing/service";
import { createScore } from "../../lib/release/score-service";
import { ROLLOUT_ACTIONS } from "../../lib/release/transitions";
import { createVersion } from "../../lib/release/version-service";
import { endpointLabel as label } from "./fuzz-checks";

// The real entities the admin fuzz test (tests/integration/fuzz-admin.test.ts) points its path
// parameters at, and the valid bodies and queries it makes hostile one field at a time. Samples
// are built afresh for each run (run number `n`): unique names, the current revision, so an input
// that happens to be valid really is written — hostile text then reaches the database — instead of
// ending in a 409.

const system: Actor = { type: "system", id: null, label: "fuzz setup", scopes: [] };
const version = (label: string) => ({ label, model: "gpt-4o", systemPrompt: `You are ${label}.`, temperature: 0.5, maxTokens: 256 });

export class AdminFixture {
  /** "fuzz": versions v1 (stable), v2, v3 and a running rollout, kept running (see restore). */
  readonly key = "fuzz";
  /** "fuzz-idle": two versions and no rollout; starting one is fuzzed here (and aborted after). */
  readonly idleKey = "fuzz-idle";
  versionIds: string[] = [];
  idleCanaryId = "";
  rolloutId = "";
  channelId = "";
  userId = "";
  spareKeyId = "";
  /** A model price the fuzz runs replace and remove (and put back after a removal). */
  readonly priceModel = "fuzz/model-1";
  providerId = "";
  /** A tracked score of "fuzz": changed and deleted by the fuzz runs (and made again after a delete). */
  readonly scoreKey = "fuzz_score";
  /** An evaluator of "fuzz" writing fuzz_score through the provider: changed and deleted by the fuzz runs. */
  evaluatorId = "";

  private constructor(private readonly db: Db) {}

  static async create(db: Db): Promise<AdminFixture> {
    const f = new AdminFixture(db);
    await createConfig(db, system, { key: f.key, name: "Fuzz target" });
    for (const v of ["v1", "v2", "v3"]) f.versionIds.push((await createVersion(db, system, f.key, version(v))).id);
    f.rolloutId = (await startRollout(db, system, f.key, { canaryVersionId: f.versionIds[1] })).id;
    await f.makeScore();
    await createConfig(db, system, { key: f.idleKey, name: "Fuzz target without a rollout" });
    await createVersion(db, system, f.idleKey, version("v1"));
    f.idleCanaryId = (await createVersion(db, system, f.idleKey, version("v2"))).id;
    f.channelId = (await createAlertChannel(db, system, { name: "fuzz", kind: "webhook", url: "http://127.0.0.1:9/hook", enabled: false })).id;
    f.userId = (await createUser(db, system, { email: "target@example.com", role: "viewer", password: "a long enough password" })).user.id;
    f.spareKeyId = (await createApiKey(db, system, { name: "spare", scopes: ["route"] })).apiKey.id;
    await f.makePrice();
    await f.makeProvider();
    await f.makeEvaluator();
    return f;
  }

  /** A connection to a closed port: changed, tested (no answer) and deleted by the fuzz runs. */
  private async makeProvider(): Promise<void> {
    const body = { name: "fuzz-provider", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-fuzz-0123456789abcdef", headers: { "X-Org": "fuzz" } };
    this.providerId = (await createProvider(this.db, system, body)).id;
  }

  private async makeEvaluator(): Promise<void> {
    const body = { name: "fuzz judge", scoreKey: this.scoreKey, providerId: this.providerId, model: "gpt-4o-mini", prompt: "Rate {{output}} for {{input}} from 0 to 10.", answer: { format: "number" } };
    this.evaluatorId = (await createEvaluator(this.db, system, this.key, body)).id;
  }

  private evaluatorBody(n: number, name: string) {
    return {
      name,
      scoreKey: this.scoreKey,
      providerId: this.providerId,
      model: "gpt-4o-mini",
      prompt: `Judge ${n}: {{output}} answering {{input}}. Reply {"score": 0..10}.`,
      answer: { format: "json_field", field: "verdict.score", min: 0, max: 10 },
      sampleRate: 0.25,
      minPerMinute: 3,
      maxPerMinute: 30,
      enabled: false,
    };
  }

  private async makeScore(): Promise<void> {
    await createScore(this.db, system, this.key, { key: this.scoreKey, label: "Fuzz score", kind: "numeric", min: 0, max: 10, guardrail: false });
  }

  private async makePrice(): Promise<void> {
    await setPrice(this.db, system, { model: this.priceModel, inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
  }

  private async revisionOf(key: string): Promise<number> {
    return (await this.db.config.findUniqueOrThrow({ where: { key } })).revision;
  }

  /** Valid bodies, by endpoint. */
  readonly bodies: Record<string, (n: number) => Promise<unknown>> = {
    "post /api/admin/configs": async (n) => ({ key: `fuzz-new-${n}`, name: "Fuzzed", description: "made by a fuzz run" }),
    "patch /api/admin/configs/{key}": async (n) => ({ samplePolicy: n % 3 === 0 ? { keep: "fraction", fraction: 0.1 + (n % 5) / 10 } : { keep: ["all", "none"][n % 2] }, gatewayClientOverrides: n % 2 === 0 }),
    "post /api/admin/configs/{key}/versions": async (n) => ({
      label: `v-fuzz-${n}`,
      model: "gpt-4o",
      provider: "openai",
      providerId: this.providerId,
      messages: [
        { role: "system", content: "You are fuzzed for {{product}}.{{#tier}} Tier {{tier}}.{{/tier}}" },
        { role: "placeholder", name: "history" },
        { role: "user", content: "{{question}}" },
      ],
      temperature: 0.5,
      topP: 0.9,
      maxTokens: 256,
      stop: ["\nUser:"],
      seed: 3,
      tools: [{ name: "look_up", description: "Find it", parameters: { type: "object", properties: { id: { type: "string", minLength: 1 } }, required: ["id"] } }],
      toolChoice: { name: "look_up" },
      responseFormat: { type: "json_schema", name: "reply", schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } },
      retrievalStrategy: { type: "vector", index: "docs", topK: 5, minScore: 0.5, reranker: "none", params: { k: 1 } },
      params: { seed: 1 },
      variables: [{ name: "product", default: "Acme", description: "the product" }],
      description: "d",
      parentVersionId: this.versionIds[0],
    }),
    "post /api/admin/configs/{key}/rollouts": async () => ({
      canaryVersionId: this.idleCanaryId,
      stages: [{ percent: 50, minDurationSec: 60, minSamples: 10 }, { percent: 100, minDurationSec: 60, minSamples: 10 }],
      thresholds: { maxErrorRate: 0.05, maxErrorRateRatio: 3, maxRatingDrop: 0.5, maxP95LatencyRatio: 2, maxCostRatio: 2 },
      include: ["u-1"],
      exclude: ["u-2"],
      sticky: true,
      autoPromote: false,
      revision: await this.revisionOf(this.idleKey),
    }),
    "post /api/admin/configs/{key}/rollback": async () => ({ reason: "fuzz", revision: await this.revisionOf(this.key) }),
    "post /api/admin/rollouts/{id}/{action}": async () => ({
      reason: "fuzz",
      revision: (await this.db.rollout.findUniqueOrThrow({ where: { id: this.rolloutId } })).revision,
    }),
    "post /api/admin/configs/{key}/scores": async (n) => ({
      key: `fuzz_new_${n}`,
      label: "Fuzzed",
      description: "made by a fuzz run",
      kind: "numeric",
      min: 0,
      max: 10,
      direction: "higher_is_better",
      guardrail: false,
      threshold: { form: "difference", value: 0.5 },
    }),
    "patch /api/admin/configs/{key}/scores/{scoreKey}": async () => ({
      label: "Fuzzed",
      description: "changed by a fuzz run",
      direction: "lower_is_better",
      guardrail: false,
      threshold: { form: "ratio", value: 1.5 },
      min: 0,
      max: 10,
    }),
    "post /api/admin/configs/{key}/evaluators": async (n) => this.evaluatorBody(n, `fuzz judge ${n}`),
    "patch /api/admin/configs/{key}/evaluators/{id}": async (n) => this.evaluatorBody(n, "fuzz judge"),
    "post /api/admin/api-keys": async (n) => ({ name: `fuzz-${n}`, scopes: ["route"] }),
    "post /api/admin/users": async (n) => ({ email: `fuzz-${n}@example.com`, role: "viewer", name: "Fuzz", password: "a long enough password" }),
    "patch /api/admin/users/{id}": async () => ({ role: "editor", name: "Fuzzed", disabled: false }),
    "post /api/admin/alert-channels": async () => ({ name: "fuzz", kind: "webhook", url: "http://127.0.0.1:9/hook", secret: "0123456789", events: ["test"], enabled: false }),
    "post /api/admin/model-prices": async (n) => ({ model: n % 2 ? this.priceModel : `fuzz/model-${n}`, inputUsdPerMillion: 0.5, outputUsdPerMillion: 1.5 }),
    "patch /api/admin/alert-channels/{id}": async () => ({ name: "fuzz", kind: "slack", url: "https://127.0.0.1:9/hook", secret: "0123456789", events: ["promote"], enabled: false }),
    "post /api/admin/providers": async (n) => ({ name: `fuzz-provider-${n}`, baseUrl: "http://127.0.0.1:9/v1", apiKey: `sk-fuzz-${n}-0123456789`, headers: { "X-Org": "fuzz" } }),
    // Called for real: the fixture's connection points at a closed port, so each column fails alone and the run is stored.
    "post /api/admin/configs/{key}/playground": async () => ({
      columns: [
        { versionId: this.versionIds[0], providerId: this.providerId },
        {
          settings: { model: "gpt-4o", providerId: this.providerId, messages: [{ role: "system", content: "You help with {{product}}." }], temperature: 0.5, maxTokens: 16 },
          basedOnVersionId: this.versionIds[1],
        },
      ],
      variables: { product: "Acme" },
      userMessage: "Hello",
    }),
    "patch /api/admin/providers/{id}": async () => ({ name: "fuzz-provider", baseUrl: "https://127.0.0.1:9/v2", apiKey: "sk-fuzz-changed-0123456789", headers: { "X-Org": null, "X-Team": "fuzz" } }),
  };

  /** Valid queries, by endpoint. */
  readonly queries: Record<string, () => Record<string, string>> = {
    "get /api/admin/configs/{key}/diff": () => ({ from: this.versionIds[0], to: this.versionIds[1] }),
    "get /api/admin/configs/{key}/route-preview": () => ({ userId: "u-1" }),
    "get /api/admin/rollouts/{id}/samples": () => ({ variant: "canary", maxRating: "3", errors: "true", limit: "10", cursor: "5" }),
    "get /api/admin/configs/{key}/playground/runs": () => ({ limit: "5", cursor: "pgr_0000000000000000" }),
    "get /api/admin/rollouts/{id}/evaluations": () => ({ status: "done", limit: "10", cursor: "5" }),
    "get /api/admin/audit": () => ({ config: this.key, rollout: this.rolloutId, actor: "key:fuzz", action: "rollout.*", limit: "10", cursor: "100" }),
  };

  /** After an accepted input: put back what the next runs need (a running rollout, an idle config). */
  async restore(endpoint: Endpoint): Promise<void> {
    // A config holds at most 50 scores: drop what the create runs made; put back a deleted one.
    if (label(endpoint) === "post /api/admin/configs/{key}/scores") {
      await this.db.scoreDefinition.deleteMany({ where: { config: { key: this.key }, key: { not: this.scoreKey } } });
    }
    if (label(endpoint) === "delete /api/admin/configs/{key}/scores/{scoreKey}") await this.makeScore();
    if (label(endpoint) === "delete /api/admin/model-prices/{model}") await this.makePrice();
    if (label(endpoint) === "delete /api/admin/providers/{id}") await this.makeProvider();
    // A config holds at most 20 evaluators; the one the runs change is made again after a delete.
    if (label(endpoint) === "post /api/admin/configs/{key}/evaluators") {
      await this.db.evaluator.deleteMany({ where: { id: { not: this.evaluatorId } } });
    }
    if (label(endpoint) === "delete /api/admin/configs/{key}/evaluators/{id}") await this.makeEvaluator();
    if (label(endpoint) === "post /api/admin/configs/{key}/rollouts") {
      const idle = await this.db.config.findUniqueOrThrow({ where: { key: this.idleKey } });
      if (idle.activeRolloutId) await actOnRollout(this.db, system, idle.activeRolloutId, "abort", { reason: "fuzz cleanup" });
    }
    if (["post /api/admin/configs/{key}/rollback", "post /api/admin/rollouts/{id}/{action}"].includes(label(endpoint))) {
      const config = await this.db.config.findUniqueOrThrow({ where: { key: this.key } });
      if (config.activeRolloutId) {
        this.rolloutId = config.activeRolloutId;
        return;
      }
      const canary = this.versionIds.find((id) => id !== config.stableVersionId)!;
      this.rolloutId = (await startRollout(this.db, system, this.key, { canaryVersionId: canary })).id;
    }
  }

  /**
   * Path parameters naming real entities, resolved at each run (the rollout is replaced when an
   * accepted action ended it); {action} varies per run.
   */
  params(endpoint: Endpoint): { arbitrary: fc.Arbitrary<Record<string, string>>; resolve: (generated: Record<string, string>) => Record<string, string> } {
    const names = [...endpoint.path.matchAll(/([\w-]+)\/\{(\w+)\}/g)].map(([, parent, name]) => `${parent}/${name}`);
    const entity: Record<string, () => string> = {
      "configs/key": () => (label(endpoint) === "post /api/admin/configs/{key}/rollouts" ? this.idleKey : this.key),
      "versions/id": () => this.versionIds[0],
      "rollouts/id": () => this.rolloutId,
      "alert-channels/id": () => this.channelId,
      "providers/id": () => this.providerId,
      "api-keys/id": () => this.spareKeyId,
      "users/id": () => this.userId,
      "scores/scoreKey": () => this.scoreKey,
      "evaluators/id": () => this.evaluatorId,
      "model-prices/model": () => this.priceModel,
    };
    const placeholders = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
    for (const name of placeholders) {
      const known = name === "action" || names.some((n) => n.endsWith(`/${name}`) && entity[n]);
      if (!known) throw new Error(`${label(endpoint)}: no real entity for {${name}}; add one to AdminFixture.params`);
    }
    const action: Record<string, fc.Arbitrary<string>> = endpoint.path.includes("{action}") ? { action: fc.constantFrom<string>(...ROLLOUT_ACTIONS) } : {};
    return {
      arbitrary: fc.record(action) as fc.Arbitrary<Record<string, string>>,
      resolve: (generated) => ({ ...Object.fromEntries(names.map((n) => [n.split("/")[1], entity[n]()])), ...generated }),
    };
  }
}
