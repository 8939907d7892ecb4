import type { Db } from "../db/types";
import { newId } from "../ids";
import { runPeriodically } from "../periodic";
import { OutboundError, outboundRequest } from "../outbound/request";
import { formatAlert, type OutgoingRequest } from "./format";
import { channelsFor, claimDueDeliveries, findDeliveries, insertDeliveries, updateDelivery } from "./repo";
import type { AlertPayload, DeliveryError } from "./schemas";

// Alerts are written as deliveries (one per subscribed channel) and sent in the background with
// retries: a failed attempt (connection failure, timeout, non-2xx) is tried again after 2^n
// seconds (1 s, 2 s, 4 s … capped at 5 min), and given up after MAX_ATTEMPTS, each attempt logged
// on the delivery. Every attempt goes through the outbound policy (lib/outbound). Enqueueing never
// fails the action that caused it.

export const MAX_ATTEMPTS = 8;
const SEND_TIMEOUT_MS = 10_000;

export async function enqueueAlert(db: Db, payload: AlertPayload): Promise<string[]> {
  const channels = await channelsFor(db, payload.event);
  const rows = channels.map((channel) => ({
    id: newId("adl"),
    channelId: channel.id,
    event: payload.event,
    rolloutId: payload.rollout?.id ?? null,
    payload: JSON.parse(JSON.stringify(payload)),
  }));
  if (rows.length) await insertDeliveries(db, rows);
  return rows.map((row) => row.id);
}

export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends every due delivery once (claimed so no other instance sends it too); returns how many it
 * tried. A delivery whose channel was muted meanwhile (a retry, or a test sent before muting) is
 * closed as `muted` instead: a muted channel hears nothing from the background.
 */
export async function deliverDue(db: Db, now = new Date()): Promise<number> {
  let tried = 0;
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      const ids = (await claimDueDeliveries(tx, now, 20)).map((row) => row.id);
      // Push them out of reach while they are being sent; the outcome below sets the real next time.
      const away = new Date(now.getTime() + SEND_TIMEOUT_MS + 60_000);
      for (const id of ids) await updateDelivery(tx, id, { nextAttemptAt: away });
      return ids;
    });
    if (!batch.length) return tried;
    for (const delivery of await findDeliveries(db, batch)) {
      tried++;
      if (delivery.channel.enabled) await sendDelivery(db, delivery, now);
      else await updateDelivery(db, delivery.id, { status: "failed", lastStatus: null, lastError: "muted" });
    }
  }
}

type LoadedDelivery = Awaited<ReturnType<typeof findDeliveries>>[number];

/**
 * One attempt at one delivery, recorded on it: the HTTP status and a fixed error class, never
 * what the receiver wrote back. A policy refusal is final (retrying cannot change the address).
 */
export async function sendDelivery(db: Db, delivery: LoadedDelivery, now = new Date()) {
  const attempts = delivery.attempts + 1;
  const { kind, url, secret } = delivery.channel;
  const request = formatAlert(kind, url, secret, delivery.payload as unknown as AlertPayload, now.getTime());
  const result = await attempt(request);
  if (result.ok) {
    const delivered = { status: "delivered" as const, lastStatus: result.status, lastError: null, deliveredAt: new Date() };
    return updateDelivery(db, delivery.id, { attempts, ...delivered });
  }
  const final = attempts >= MAX_ATTEMPTS || result.error === "refused_by_policy";
  return updateDelivery(db, delivery.id, {
    status: final ? "failed" : "pending",
    attempts,
    lastStatus: result.status,
    lastError: result.error,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
  });
}

type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: DeliveryError };

async function attempt(request: OutgoingRequest): Promise<AttemptResult> {
  try {
    const { headers, body } = request;
    // The body is read only to spot an error code in a 200 (judgeAnswer); 4 KiB is plenty for that.
    const options = { method: "POST" as const, headers, body, timeoutMs: SEND_TIMEOUT_MS, maxResponseBytes: 4096 };
    const response = await outboundRequest(request.url, options);
    return judgeAnswer(response.status, response.body.toString("utf8"));
  } catch (error) {
    if (error instanceof OutboundError) return { ok: false, status: null, error: error.failure };
    throw error;
  }
}

/** A receiver's answer as an outcome. DingTalk (and Slack, for some failures) answer 200 with an error code. */
function judgeAnswer(status: number, body: string): AttemptResult {
  if (status < 200 || status > 299) return { ok: false, status, error: "http_status" };
  if (/"errcode"\s*:\s*[1-9]/.test(body)) return { ok: false, status, error: "rejected" };
  return { ok: true, status };
}

export interface AlertDispatcher {
  stop(): Promise<void>;
}

/** Every instance runs one: claims make each delivery go out once. */
export function startAlertDispatcher(db: Db, intervalMs: number, log: (m: string) => void): AlertDispatcher {
  return runPeriodically(() => deliverDue(db), intervalMs, (error) =>
    log(`alerts: delivery pass failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`),
  );
}
