import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlAll } from "@/lib/controller/controller";
import { createProvider, updateProvider } from "@/lib/providers/connection-service";
import { startRollout } from "@/lib/release/rollout-service";
import { createVersion } from "@/lib/release/version-service";
import { startGatewayFixture, system, type GatewayFixture } from "../helpers/gateway-fixture";

// A canary whose provider starts failing, seen only through gateway traffic: the gateway records
// the failures as the canary's errors, and the controller rolls it back like any other; after
// that every user gets stable again.

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

/** One call per user, ten at a time: each user's variant and whether the call succeeded. */
async function traffic(users: number): Promise<{ variant: string; ok: boolean }[]> {
  const results: { variant: string; ok: boolean }[] = [];
  for (let start = 0; start < users; start += 10) {
    const batch = Array.from({ length: Math.min(10, users - start) }, async (_, i) => {
      const request = { model: "shop", user: `shopper-${start + i}`, messages: [{ role: "user" as const, content: "Where is my parcel?" }] };
      try {
        const { response } = await fx.client.chat.completions.create(request).withResponse();
        return { variant: response.headers.get("x-canary-variant")!, ok: true };
      } catch (error) {
        if (!(error instanceof OpenAI.APIError)) throw error;
        return { variant: error.headers?.get("x-canary-variant") ?? "none", ok: false };
      }
    });
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

describe("a canary whose provider starts failing", () => {
  it("is rolled back by the controller on the errors the gateway recorded", async () => {
    const flaky = await createProvider(fx.db.prisma, system, { name: "flaky", baseUrl: `${fx.provider.origin}/v1`, apiKey: fx.providerKey });
    await fx.config("shop");
    const canary = await createVersion(fx.db.prisma, system, "shop", { label: "v2", model: "test-chat", providerId: flaky.id, systemPrompt: "New prompt.", temperature: 0.3, maxTokens: 64 });
    const stages = [{ percent: 50, minDurationSec: 3600, minSamples: 20 }, { percent: 100, minDurationSec: 3600, minSamples: 20 }];
    const rollout = await startRollout(fx.db.prisma, system, "shop", { canaryVersionId: canary.id, stages });
    await fx.srv.api.store.reload();

    const healthy = await traffic(60);
    expect(healthy.every((r) => r.ok)).toBe(true);
    await fx.srv.gateway.recorder.flush();
    expect((await controlAll(fx.db.prisma)).filter((s) => s.rolloutId === rollout.id && s.action === "rollback")).toEqual([]);

    // The canary's connection breaks: its endpoint now answers 500 to everything.
    await updateProvider(fx.db.prisma, system, flaky.id, { headers: { "x-test-status": "500" } });
    await fx.srv.api.store.reload();
    const failing = await traffic(240);
    expect(failing.filter((r) => r.variant === "canary").every((r) => !r.ok)).toBe(true);
    expect(failing.filter((r) => r.variant === "stable").every((r) => r.ok)).toBe(true);
    await fx.srv.gateway.recorder.flush();

    const steps = await controlAll(fx.db.prisma);
    expect(steps).toContainEqual(expect.objectContaining({ rolloutId: rollout.id, action: "rollback" }));
    const row = await fx.db.prisma.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect(row.status).toBe("rolled_back");
    expect(row.endReason).toMatch(/^Automatic rollback: canary error rate/);
    const errors = await fx.db.prisma.outcome.count({ where: { rolloutId: rollout.id, variant: "canary", isError: true, errorType: "http_500" } });
    expect(errors).toBe(failing.filter((r) => r.variant === "canary").length);

    await fx.srv.api.store.reload();
    const after = await traffic(20);
    expect(after.every((r) => r.ok && r.variant === "stable")).toBe(true);
  });
});
