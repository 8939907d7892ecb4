import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { encryptionKey } from "@/lib/providers/encryption-key";
import { providerWords, scrubSecrets } from "@/lib/providers/provider-call";
import { CreateProviderInput } from "@/lib/providers/schemas";
import { apiKeyHint } from "@/lib/providers/sealed-fields";
import { keyId, open, seal, SealError } from "@/lib/providers/secret-box";

/** The environment as readEnv reads it, with only these variables set. */
const envOf = (vars: Record<string, string>) => readEnv(vars as unknown as NodeJS.ProcessEnv);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "llm-canary-key-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the secret box (AES-256-GCM)", () => {
  const key = randomBytes(32);

  it("opens what it sealed, and seals the same text differently each time", () => {
    const a = seal(key, "sk-secret", "row:1:api_key");
    const b = seal(key, "sk-secret", "row:1:api_key");
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-secret");
    expect(open(key, a, "row:1:api_key")).toBe("sk-secret");
    expect(a.split(".")[1]).toBe(keyId(key));
  });

  it("refuses another key, another row or field, and any changed byte", () => {
    const sealed = seal(key, "sk-secret", "row:1:api_key");
    expect(() => open(randomBytes(32), sealed, "row:1:api_key")).toThrow(new SealError("other_key"));
    expect(() => open(key, sealed, "row:2:api_key")).toThrow(new SealError("corrupt"));
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[4], "base64url");
    flipped[0] ^= 1;
    expect(() => open(key, [...parts.slice(0, 4), flipped.toString("base64url")].join("."), "row:1:api_key")).toThrow(new SealError("corrupt"));
    expect(() => open(key, "v2.x.y", "row:1:api_key")).toThrow(new SealError("corrupt"));
  });
});

describe("the encryption key", () => {
  it("is generated once into the data directory (mode 0600) and read back after", () => {
    const dir = tempDir();
    const env = envOf({ LLM_CANARY_DATA_DIR: dir });
    const first = encryptionKey(env);
    expect(first).toHaveLength(32);
    const file = path.join(dir, "encryption-key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64")).toEqual(first);
    expect(encryptionKey(envOf({ LLM_CANARY_DATA_DIR: dir }))).toEqual(first);
  });

  it("is taken from LLM_CANARY_ENCRYPTION_KEY as hex or base64, and refuses anything else", () => {
    const raw = randomBytes(32);
    expect(encryptionKey(envOf({ LLM_CANARY_ENCRYPTION_KEY: raw.toString("hex") }))).toEqual(raw);
    expect(encryptionKey(envOf({ LLM_CANARY_ENCRYPTION_KEY: raw.toString("base64") }))).toEqual(raw);
    expect(encryptionKey(envOf({ LLM_CANARY_ENCRYPTION_KEY: raw.toString("base64url") }))).toEqual(raw);
    for (const bad of ["short", randomBytes(16).toString("hex"), randomBytes(31).toString("base64")]) {
      expect(() => envOf({ LLM_CANARY_ENCRYPTION_KEY: bad })).toThrow(/LLM_CANARY_ENCRYPTION_KEY: must be 32 bytes/);
    }
  });

  it("never overwrites a damaged key file", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "encryption-key"), "not a key\n");
    expect(() => encryptionKey(envOf({ LLM_CANARY_DATA_DIR: dir }))).toThrow(/never overwritten/);
    expect(readFileSync(path.join(dir, "encryption-key"), "utf8")).toBe("not a key\n");
  });
});

describe("what may be shown of a connection", () => {
  const connection = { baseUrl: "https://api.example.com/v1", apiKey: "sk-abcdefghijklmnop1234", headers: { "X-Org": "org-9876" } };

  it("hints at a key by its last four characters, and at a short key by nothing", () => {
    expect(apiKeyHint("sk-abcdefghijklmnop1234")).toBe("…1234");
    expect(apiKeyHint("short-key-1234")).toBe("…");
  });

  it("shows an endpoint's words only from an OpenAI-shaped error, with the key and header values blotted out", () => {
    const body = JSON.stringify({ error: { message: "Incorrect API key provided: sk-abcdefghijklmnop1234 for org-9876." } });
    expect(providerWords(body, connection)).toBe("Incorrect API key provided: *** for ***.");
    expect(providerWords("<html>internal admin page</html>", connection)).toBeNull();
    expect(providerWords(JSON.stringify({ error: { message: "x".repeat(400) } }), connection)).toHaveLength(301);
    expect(scrubSecrets("a sk-abcdefghijklmnop1234 b", connection)).toBe("a *** b");
  });

  it("normalizes the base URL and names the field of each refusal", () => {
    expect(CreateProviderInput.parse({ name: "n", baseUrl: "https://api.example.com/v1//", apiKey: "k" }).baseUrl).toBe("https://api.example.com/v1");
    const refused = CreateProviderInput.safeParse({ name: "n", baseUrl: "https://api.example.com/v1", apiKey: "k", headers: { Host: "evil" } });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0].path).toEqual(["headers", "Host"]);
  });
});
