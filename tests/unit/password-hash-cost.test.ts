import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { burnPasswordCheck, hashPassword, passwordHashCost, verifyPassword } from "@/lib/auth/passwords";
import { readEnv } from "@/lib/env";

// The work factor is a setting (the suite runs at 4, vitest.config.ts); production keeps 12.
const costFrom = (value?: string) => readEnv((value === undefined ? {} : { LLM_CANARY_PASSWORD_HASH_COST: value }) as NodeJS.ProcessEnv).LLM_CANARY_PASSWORD_HASH_COST;

describe("bcrypt's cost for console passwords", () => {
  it("is 12 when LLM_CANARY_PASSWORD_HASH_COST is unset, and only 4 to 15 is accepted", () => {
    expect(costFrom()).toBe(12);
    expect(costFrom("10")).toBe(10);
    for (const bad of ["3", "16", "twelve", "12.5"]) {
      expect(() => costFrom(bad), bad).toThrow(/LLM_CANARY_PASSWORD_HASH_COST: must be a whole number from 4 to 15/);
    }
  });

  it("is written into each new hash, as the setting says", async () => {
    expect(passwordHashCost()).toBe(Number(process.env.LLM_CANARY_PASSWORD_HASH_COST));
    const hash = await hashPassword("correct horse battery staple");
    expect(bcrypt.getRounds(hash.slice(hash.indexOf("$")))).toBe(passwordHashCost());
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", hash)).toBe(false);
  });

  it("does not change how an older hash is checked: its own cost is in it", async () => {
    const older = "hmac-sha256:" + (await bcrypt.hash("not the pre-hash", 5));
    expect(bcrypt.getRounds(older.slice(older.indexOf("$")))).toBe(5);
    expect(await verifyPassword("anything", older)).toBe(false);
    expect(await burnPasswordCheck("anything")).toBe(false);
  });
});
