import { z } from "zod";
import type { OutboundFailure } from "../outbound/request";

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
  url: z.string().describe("the scheme and host only (https://hooks.slack.com/***): the path and query may carry the webhook's token"),
  hasSecret: z.boolean().describe("the secret itself is never shown again"),
  events: z.array(z.enum(ALERT_EVENTS)),
  enabled: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ChannelDto = z.infer<typeof ChannelDto>;

/**
 * Why an attempt failed, as the delivery log keeps it: a fixed class, never the receiver's words
 * (its body may be an internal service's answer) nor the socket's (it tells ports apart). The
 * first three are lib/outbound's; the text is what the console shows.
 */
export const DELIVERY_ERRORS = {
  refused_by_policy: "not sent: the URL's address is not public (see LLM_CANARY_ALLOW_PRIVATE_NETWORKS)",
  timeout: "no answer in time",
  connection_failed: "no HTTP answer (unknown host, connection refused or reset, TLS failure)",
  http_status: "answered with a status other than 2xx (redirects are not followed)",
  rejected: "answered 2xx with an error code in the body",
  muted: "not sent: the channel was muted",
} as const satisfies Record<OutboundFailure | "http_status" | "rejected" | "muted", string>;
export type DeliveryError = keyof typeof DELIVERY_ERRORS;
const DELIVERY_ERROR_CODES = Object.keys(DELIVERY_ERRORS) as [DeliveryError, ...DeliveryError[]];

export const DeliveryDto = z.object({
  id: z.string(),
  channelId: z.string(),
  event: z.string(),
  rolloutId: z.string().nullable(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  // Rows from before the fixed classes were rewritten to their class by a migration.
  lastError: z.enum(DELIVERY_ERROR_CODES).nullable()
    .describe("why the last attempt failed, a fixed class; never the receiver's answer"),
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
