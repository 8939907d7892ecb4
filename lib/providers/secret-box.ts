import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

// Secrets at rest (provider API keys, header values) sealed with AES-256-GCM. A sealed value is
// `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts): the key id (a hash of the key, not the
// key) tells "sealed under another key" apart from "tampered with"; the context (which row and
// field) is bound in as additional data, so a sealed value copied to another row or field fails
// to open instead of lending its secret there.

const FORMAT = "v1";

/** Why a sealed value cannot be opened; its message names no secret. */
export class SealError extends Error {
  constructor(readonly reason: "other_key" | "corrupt") {
    super(
      reason === "other_key"
        ? "it was sealed under another encryption key (LLM_CANARY_ENCRYPTION_KEY or <data dir>/encryption-key changed)"
        : "the sealed value is damaged or does not belong here",
    );
    this.name = "SealError";
  }
}

/** 8 hex digits naming a key without revealing it. */
export function keyId(key: Buffer): string {
  return createHash("sha256").update("llm-canary key id\0").update(key).digest("hex").slice(0, 8);
}

export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
  return [FORMAT, keyId(key), ...parts].join(".");
}

export function open(key: Buffer, sealed: string, context: string): string {
  const [format, id, iv, tag, ciphertext, extra] = sealed.split(".");
  if (format !== FORMAT || ciphertext === undefined || extra !== undefined) throw new SealError("corrupt");
  if (id !== keyId(key)) throw new SealError("other_key");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SealError("corrupt");
  }
}
