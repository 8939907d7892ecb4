import { z } from "zod";

export const ALERT_EVENTS = ["auto_rollback", "manual_rollback", "promote", "stage_advance", "judge_warning", "test"] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
export const CHANNEL_KINDS = ["webhook", "slack", "dingtalk"] as const;

const Url = z
  .string()
  .max(2000, "must be at most 2000 characters")
  .refine((value) => {
    try {
      return ["http:", "https:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, "must be an http:// or https:// URL");

export const CreateChannelInput = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    kind: z.enum(CHANNEL_KINDS),
    url: Url,
    secret: z.string().min(8, "must be at least 8 characters").max(200, "must be at most 200 characters").nullable().default(null).describe("webhook: HMAC-SHA256 key of the X-LLM-Canary-Signature header; dingtalk: the robot's signing secret"),
    events: z.array(z.enum(ALERT_EVENTS)).max(ALERT_EVENTS.length).default([]).describe("empty: every event"),
    enabled: z.boolean("must be true or false").default(true),
  })
  .strict();

export const UpdateChannelInput = CreateChannelInput.partial().strict();

export const ChannelDto = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  url: z.string(),
  hasSecret: z.boolean().describe("the secret itself is never shown again"),
  events: z.array(z.enum(ALERT_EVENTS)),
  enabled: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ChannelDto = z.infer<typeof ChannelDto>;

export const DeliveryDto = z.object({
  id: z.string(),
  channelId: z.string(),
  event: z.string(),
  rolloutId: z.string().nullable(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.date(),
  deliveredAt: z.date().nullable(),
  createdAt: z.date(),
  payload: z.unknown(),
});
export type DeliveryDto = z.infer<typeof DeliveryDto>;

/** What every channel is told; each kind renders it in its own format (lib/alerts/format.ts). */
export interface AlertPayload {
  event: AlertEvent;
  at: string;
  title: string;
  text: string;
  rollout: { id: string; configKey: string; status: string; stage: number; percent: number } | null;
  actor: string;
  reason: string | null;
  consoleUrl: string | null;
}
