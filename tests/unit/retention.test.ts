import { describe, expect, it } from "vitest";
import { partitionName } from "@/lib/db/partitions";
import { dropBefore, minutesKeptFrom, oldestAccepted, retentionOf, spanEnd, spanStart } from "@/lib/db/retention";
import { readEnv } from "@/lib/env";

// The arithmetic of retention: which UTC day or month a time falls in, what a pass drops, from when
// on minute rollups are whole, and the settings' checks.

const at = (iso: string) => new Date(iso);
const retention = { outcomes: 30, minutes: 14, hours: 400 };
const env = (vars: Record<string, string>) => readEnv(vars as NodeJS.ProcessEnv);

describe("partition spans", () => {
  it("are UTC days and months, whatever the time of day", () => {
    expect(spanStart(at("2026-12-09T23:59:59.999Z"), "day")).toEqual(at("2026-12-09T00:00:00Z"));
    expect(spanEnd(at("2026-12-09T00:00:00Z"), "day")).toEqual(at("2026-12-10T00:00:00Z"));
    expect(spanStart(at("2026-12-31T23:00:00Z"), "month")).toEqual(at("2026-12-01T00:00:00Z"));
    expect(spanEnd(at("2026-12-01T00:00:00Z"), "month")).toEqual(at("2027-01-01T00:00:00Z"));
    expect(spanEnd(at("2027-02-01T00:00:00Z"), "month")).toEqual(at("2027-03-01T00:00:00Z"));
  });

  it("name their partitions by the day or month they start", () => {
    expect(partitionName("outcomes", at("2026-12-09T00:00:00Z"), "day")).toBe("outcomes_p20261209");
    expect(partitionName("metric_rollups_hourly", at("2026-12-01T00:00:00Z"), "month")).toBe("metric_rollups_hourly_p202612");
  });
});

describe("what is kept", () => {
  const now = at("2026-12-09T10:30:00Z");

  it("accepts events up to the setting's age, to the millisecond", () => {
    expect(oldestAccepted(retention, now)).toEqual(at("2026-11-09T10:30:00Z"));
    expect(dropBefore(retention, "hours", now)).toEqual(at("2025-11-04T10:30:00Z"));
  });

  it("reads minute rollups from the start of the oldest day surely kept", () => {
    // Minutes are kept 14 days: the day holding 2026-11-25T10:30 is dropped only once it has ended more than 14 days ago.
    expect(minutesKeptFrom(retention, now)).toEqual(at("2026-11-25T00:00:00Z"));
  });

  it("are read from the environment, hours at least as long as the others", () => {
    expect(retentionOf(env({}))).toEqual(retention);
    expect(retentionOf(env({ LLM_CANARY_RETENTION_DAYS: "7", LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS: "2" }))).toEqual({ outcomes: 7, minutes: 2, hours: 400 });
    expect(() => env({ LLM_CANARY_RETENTION_DAYS: "90", LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS: "60" })).toThrow(
      "LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS: must be at least LLM_CANARY_RETENTION_DAYS and LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS (90); it was 60",
    );
    expect(() => env({ LLM_CANARY_RETENTION_DAYS: "0" })).toThrow("LLM_CANARY_RETENTION_DAYS: must be at least 1 day");
    expect(() => env({ LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS: "a week" })).toThrow("LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS: must be a whole number of days");
  });
});
