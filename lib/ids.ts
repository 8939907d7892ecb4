import { randomBytes } from "node:crypto";

// Ids carry a type prefix so a stray id says what it is (ver_..., ro_...).
export type IdPrefix = "usr" | "key" | "cfg" | "ver" | "ro" | "ach" | "adl" | "ses" | "scd" | "prv" | "pgr" | "evl";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** 16 base-36 characters ≈ 82 bits of randomness. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(16)}`;
}

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  // 252 = 7 * 36: rejecting bytes >= 252 keeps every character equally likely.
  for (let i = 0; out.length < length; i++) {
    if (i >= bytes.length) return out + randomToken(length - out.length);
    if (bytes[i] < 252) out += ALPHABET[bytes[i] % 36];
  }
  return out;
}
