import { hash, timingSafeEqual } from "node:crypto";
import { randomToken } from "../ids";

// Key format: `lck_<selector>_<secret>`. The selector (public, unique) finds the row; only
// sha256(secret) is stored and compared in constant time. A fast hash is right here: the
// secret is 32 random base-36 characters (~165 bits), so brute force is not a concern.

export const KEY_PREFIX = "lck";
const SELECTOR_LENGTH = 12;
const SECRET_LENGTH = 32;
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}_([0-9a-z]{${SELECTOR_LENGTH}})_([0-9a-z]{${SECRET_LENGTH}})$`);

export interface GeneratedKey {
  key: string; // shown once
  selector: string;
  secretHash: string;
}

export function generateApiKey(): GeneratedKey {
  const selector = randomToken(SELECTOR_LENGTH);
  const secret = randomToken(SECRET_LENGTH);
  return { key: `${KEY_PREFIX}_${selector}_${secret}`, selector, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): { selector: string; secret: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { selector: match[1], secret: match[2] } : null;
}

export function hashSecret(secret: string): string {
  return hash("sha256", secret);
}

/** Checked on every client API request: the one-shot hash, straight to bytes (no Hash object, no hex round trip). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = hash("sha256", secret, "buffer");
  const expected = Buffer.from(storedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** `Authorization: Bearer <key>` → key, or null when the header is absent or not Bearer. */
export function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
