import { describe, expect, it } from "vitest";
import { CircuitBreaker, ConnectionGate, evaluationRetryDelayMs } from "@/lib/evaluators/backoff";

const OPTIONS = { failureThreshold: 3, cooldownMs: 10_000, maxCooldownMs: 25_000 };

describe("retry backoff", () => {
  it("doubles from 2 s and stops growing at 5 min", () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5].map((n) => evaluationRetryDelayMs(n, mid))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(evaluationRetryDelayMs(12, mid)).toBe(300_000);
    expect(evaluationRetryDelayMs(60, mid)).toBe(300_000);
  });

  it("jitters by at most a fifth either way", () => {
    expect(evaluationRetryDelayMs(3, () => 0)).toBe(6_400);
    expect(evaluationRetryDelayMs(3, () => 0.999999)).toBe(9_600);
  });
});

describe("the circuit breaker", () => {
  it("opens after the threshold of failures in a row, and a success between resets the count", () => {
    const breaker = new CircuitBreaker(OPTIONS);
    expect(breaker.failed(0)).toBe(false);
    expect(breaker.failed(0)).toBe(false);
    breaker.succeeded();
    expect(breaker.failed(0)).toBe(false);
    expect(breaker.failed(0)).toBe(false);
    expect(breaker.state).toBe("closed");
    expect(breaker.allowance(0)).toBe(Infinity);
    expect(breaker.failed(1_000)).toBe(true);
    expect(breaker.state).toBe("open");
    expect(breaker.reopensAt).toBe(11_000);
    expect(breaker.allowance(10_999)).toBe(0);
  });

  it("lets one trial through after the cooldown; its failure reopens for twice as long, up to the cap", () => {
    const breaker = new CircuitBreaker(OPTIONS);
    for (let i = 0; i < 3; i++) breaker.failed(0);
    expect(breaker.allowance(10_000)).toBe(1);
    expect(breaker.state).toBe("half_open");
    breaker.started();
    expect(breaker.allowance(10_000)).toBe(0); // the trial is in flight
    expect(breaker.failed(12_000)).toBe(true);
    expect(breaker.reopensAt).toBe(32_000); // 20 s
    breaker.allowance(32_000);
    breaker.started();
    breaker.failed(32_000);
    expect(breaker.reopensAt).toBe(57_000); // 40 s, capped at 25 s
  });

  it("closes on the trial's success", () => {
    const breaker = new CircuitBreaker(OPTIONS);
    for (let i = 0; i < 3; i++) breaker.failed(0);
    breaker.allowance(10_000);
    breaker.started();
    breaker.succeeded();
    expect(breaker.state).toBe("closed");
    expect(breaker.allowance(10_000)).toBe(Infinity);
    // And the next opening starts from the first cooldown again.
    for (let i = 0; i < 3; i++) breaker.failed(20_000);
    expect(breaker.reopensAt).toBe(30_000);
  });

  it("does not count failures of calls started before it opened", () => {
    const breaker = new CircuitBreaker(OPTIONS);
    for (let i = 0; i < 3; i++) breaker.failed(0);
    expect(breaker.failed(500)).toBe(false);
    expect(breaker.reopensAt).toBe(10_000);
  });
});

describe("a connection's gate", () => {
  it("allows its concurrency at once and frees a place when a call ends", () => {
    const gate = new ConnectionGate({ concurrency: 2, perMinute: 100, breaker: OPTIONS }, 0);
    expect(gate.free(0)).toBe(2);
    gate.start(0);
    gate.start(0);
    expect(gate.free(0)).toBe(0);
    gate.finish();
    expect(gate.free(0)).toBe(1);
  });

  it("starts at most its calls per minute, refilled evenly", () => {
    const gate = new ConnectionGate({ concurrency: 100, perMinute: 6, breaker: OPTIONS }, 0);
    for (let i = 0; i < 6; i++) {
      gate.start(0);
      gate.finish();
    }
    expect(gate.free(0)).toBe(0);
    expect(gate.free(9_999)).toBe(0);
    expect(gate.free(10_000)).toBe(1); // one call per 10 s
    expect(gate.free(600_000)).toBe(6); // never more than a minute's worth
  });

  it("lets nothing through while its breaker is open, then one trial", () => {
    const gate = new ConnectionGate({ concurrency: 4, perMinute: 100, breaker: OPTIONS }, 0);
    for (let i = 0; i < 3; i++) gate.breaker.failed(0);
    expect(gate.free(5_000)).toBe(0);
    expect(gate.free(10_000)).toBe(1);
  });
});
