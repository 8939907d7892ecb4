import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeKey, readEnv } from "../env";

// The key that seals provider secrets (./secret-box.ts): LLM_CANARY_ENCRYPTION_KEY, or else
// <data dir>/encryption-key, generated once (mode 0600) like the session secret. Several instances
// on one database must share one key: give them all the same LLM_CANARY_ENCRYPTION_KEY. A lost key
// loses the stored API keys (each connection then needs its key entered again), never more.

const FILE = "encryption-key";
const cache = new Map<string, Buffer>();

export function encryptionKey(env = readEnv()): Buffer {
  const configured = env.LLM_CANARY_ENCRYPTION_KEY?.trim();
  const where = configured ? `env:${configured}` : `file:${path.resolve(env.LLM_CANARY_DATA_DIR, FILE)}`;
  let key = cache.get(where);
  if (!key) {
    key = configured ? decodeKey(configured)! : keyFromFile(env.LLM_CANARY_DATA_DIR);
    cache.set(where, key);
  }
  return key;
}

function keyFromFile(dataDir: string): Buffer {
  const file = path.join(dataDir, FILE);
  const stored = readKeyFile(file);
  if (stored) return stored;
  mkdirSync(dataDir, { recursive: true });
  // Written whole to a file of its own, then linked into place: of two processes starting at once,
  // one links its key and the other finds the link taken and reads that key, never a half-written file.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(draft);
  }
  const written = readKeyFile(file);
  if (!written) throw new Error(`${file} does not hold a 32-byte key (64 hex digits or base64); it is never overwritten, so fix or remove it`);
  return written;
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const key = decodeKey(text);
  if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex digits or base64); it is never overwritten, so fix or remove it`);
  return key;
}
