import { z } from "zod";
import { isIP } from "node:net";

const HASH_COST_RANGE = "must be a whole number from 4 to 15";
const days = (fallback: number) =>
  z.coerce.number({ message: "must be a whole number of days" }).int("must be a whole number of days").min(1, "must be at least 1 day").max(36_500, "must be at most 36500 days (100 years)").default(fallback);

// Every environment variable the app reads, validated once. README "Configuration" lists them.
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LLM_CANARY_DATA_DIR: z.string().min(1).default(".data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // bcrypt's work factor for console passwords (each step doubles the time of a sign-in). The test
  // suite lowers it to 4: it signs in hundreds of times, and the cost is written into each hash,
  // so a hash made at one cost is checked at that cost whatever the setting is now.
  LLM_CANARY_PASSWORD_HASH_COST: z.coerce
    .number({ message: HASH_COST_RANGE })
    .int(HASH_COST_RANGE)
    .min(4, HASH_COST_RANGE)
    .max(15, HASH_COST_RANGE)
    .default(12),
  // How often the client API's snapshot polls for changes it may have missed (LISTEN/NOTIFY is the fast path).
  LLM_CANARY_SNAPSHOT_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(3_000),
  // Where people reach the console, for links in alerts (e.g. https://canary.example.com).
  LLM_CANARY_PUBLIC_URL: z.string().url().optional(),
  // How often the controller (on the leading instance) judges every running rollout.
  LLM_CANARY_CONTROLLER_TICK_MS: z.coerce.number().int().min(200).max(3_600_000).default(5_000),
  // Behind a reverse proxy: take the client's address from the last X-Forwarded-For hop, the one
  // the proxy appended (for the per-IP sign-in limit). Off: the address of the connection.
  LLM_CANARY_TRUST_PROXY: z
    .enum(["true", "false", "1", "0"], { message: "must be true or false" })
    .default("false")
    .transform((value) => value === "true" || value === "1"),
  // Outbound requests (alert channels) to addresses that are not public: "false" refuses them,
  // "true" allows every address, or a comma-separated list of addresses and CIDR ranges allows
  // those (`10.20.0.0/16,fd00::/8`). Parsed into ranges: [] refuses all, true is 0.0.0.0/0 and ::/0.
  LLM_CANARY_ALLOW_PRIVATE_NETWORKS: z
    .string()
    .default("false")
    .transform((value, ctx) => {
      const text = value.trim().toLowerCase();
      if (text === "false" || text === "0" || text === "") return [];
      if (text === "true" || text === "1") return ["0.0.0.0/0", "::/0"];
      const ranges = text.split(",").map((entry) => entry.trim()).filter(Boolean);
      const bad = ranges.find((entry) => !isAddressRange(entry));
      if (bad) ctx.addIssue({ code: "custom", message: `must be true, false or addresses and CIDR ranges; ${bad} is none` });
      return ranges;
    }),
  // Seals provider connections' API keys and headers (AES-256-GCM): 32 bytes as 64 hex digits or
  // base64. Unset: generated once into <data dir>/encryption-key (lib/providers/encryption-key.ts).
  LLM_CANARY_ENCRYPTION_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || value === "" || decodeKey(value) !== null, "must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)"),
  // The gateway (/v1/chat/completions): how long a provider may take before its answer starts (a
  // whole answer: before all of it arrives); past it the client gets a 504.
  LLM_CANARY_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  // Online evaluators, per instance and per provider connection: calls at once, calls started per
  // minute, and how long until a judge's answer starts (the whole answer: twice that).
  LLM_CANARY_EVAL_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  LLM_CANARY_EVAL_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  LLM_CANARY_EVAL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  // Origins browsers may call the client API from: "*" or a comma-separated list of exact origins.
  LLM_CANARY_CORS_ORIGINS: z
    .string()
    .default("*")
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean)),
  // Retention (README "Retention"), in days, dropped a whole UTC day (hours: month) at a time by the
  // retention job: outcomes with their samples and scores (an older event is refused), the minute
  // rollups, and the hour rollups — which outlive both, so reports of long-past rollouts still read.
  LLM_CANARY_RETENTION_DAYS: days(30),
  LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS: days(14),
  LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS: days(400),
}).superRefine((env, ctx) => {
  const hours = env.LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS;
  const longest = Math.max(env.LLM_CANARY_RETENTION_DAYS, env.LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS);
  if (hours < longest) {
    const message = `must be at least LLM_CANARY_RETENTION_DAYS and LLM_CANARY_MINUTE_ROLLUP_RETENTION_DAYS (${longest}); it was ${hours}`;
    ctx.addIssue({ code: "custom", path: ["LLM_CANARY_HOUR_ROLLUP_RETENTION_DAYS"], message });
  }
});

/** A 32-byte key written as 64 hex digits or as base64 (either alphabet); null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? bytes : null;
}

/** `10.0.0.0/8`, `fd00::/8` or one address, without a zone. (lib/outbound parses it exactly.) */
function isAddressRange(entry: string): boolean {
  const [address, prefix, extra] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined || address.includes("%")) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
