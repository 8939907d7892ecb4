import { createHmac } from "node:crypto";
import bcrypt from "bcryptjs";
import { readEnv } from "../env";
import { randomToken } from "../ids";

// bcrypt is deliberately slow for passwords (not for API keys, which are long random secrets):
// cost 12 unless LLM_CANARY_PASSWORD_HASH_COST says otherwise (the tests use 4).
let cost: number | undefined;
export function passwordHashCost(): number {
  return (cost ??= readEnv().LLM_CANARY_PASSWORD_HASH_COST);
}

// bcrypt reads only the first 72 bytes of its input, so on its own any two passwords that share
// those bytes match (and 72 bytes is only 24 characters of many scripts). Passwords are therefore
// pre-hashed: bcrypt gets the base64 HMAC-SHA256 of the whole password (44 ASCII characters, no
// NUL), so every byte counts. The HMAC key is not a secret; it keeps the pre-hash apart from plain
// SHA-256 digests that may have leaked elsewhere. Stored as `PREHASHED` + the bcrypt hash; a hash
// without the prefix was written before this change and is checked the old way (plain bcrypt)
// until its owner next sets a password.
const PREHASHED = "hmac-sha256:";
const PREHASH_KEY = "llm-canary password pre-hash v1";

function prehash(password: string): string {
  return createHmac("sha256", PREHASH_KEY).update(password, "utf8").digest("base64");
}

export async function hashPassword(password: string): Promise<string> {
  return PREHASHED + (await bcrypt.hash(prehash(password), passwordHashCost()));
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (hash.startsWith(PREHASHED)) return bcrypt.compare(prehash(password), hash.slice(PREHASHED.length));
  return bcrypt.compare(password, hash);
}

// Compared against when the e-mail is unknown, so both cases take the same time. Made once, on
// first use and without blocking, at the cost stored hashes are made at.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<boolean> {
  dummyHash ??= bcrypt.hash(prehash("llm-canary-timing-equalizer"), passwordHashCost());
  return bcrypt.compare(prehash(password), await dummyHash);
}

export function generatePassword(): string {
  return randomToken(20);
}

export { MIN_PASSWORD_LENGTH } from "./password-rules";
