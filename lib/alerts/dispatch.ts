import type { Db } from "../db/types";
import { newId } from "../ids";
import { formatAlert } from "./format";
import { channelsFor, claimDueDeliveries, findDeliveries, insertDeliveries, updateDelivery } from "./repo";
import type { AlertPayload } from "./schemas";

// Alerts are written as deliveries (one per subscribed channel) and sent in the background with
// retries: a failed attempt (network error, timeout, non-2xx) is tried again after 2^n seconds
// (1 s, 2 s, 4 s … capped at 5 min), and given up after MAX_ATTEMPTS, each attempt logged on
// the delivery. Enqueueing never fails the action that caused it.

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

/** Sends every due delivery once (claimed so no other instance sends it too); returns how many it tried. */
export async function deliverDue(db: Db, now = new Date(), send: typeof fetch = fetch): Promise<number> {
  let tried = 0;
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      const ids = (await claimDueDeliveries(tx, now, 20)).map((row) => row.id);
      // Push them out of reach while they are being sent; the outcome below sets the real next time.
      for (const id of ids) await updateDelivery(tx, id, { nextAttemptAt: new Date(now.getTime() + SEND_TIMEOUT_MS + 60_000) });
      return ids;
    });
    if (!batch.length) return tried;
    for (const delivery of await findDeliveries(db, batch)) {
      tried++;
      await sendDelivery(db, delivery, now, send);
    }
  }
}

type LoadedDelivery = Awaited<ReturnType<typeof findDeliveries>>[number];

/** One attempt at one delivery, recorded on it. */
export async function sendDelivery(db: Db, delivery: LoadedDelivery, now = new Date(), send: typeof fetch = fetch) {
  const attempts = delivery.attempts + 1;
  const request = formatAlert(delivery.channel.kind, delivery.channel.url, delivery.channel.secret, delivery.payload as unknown as AlertPayload, now.getTime());
  const result = await attempt(send, request);
  if (result.ok) {
    return updateDelivery(db, delivery.id, { status: "delivered", attempts, lastStatus: result.status, lastError: null, deliveredAt: new Date() });
  }
  return updateDelivery(db, delivery.id, {
    status: attempts >= MAX_ATTEMPTS ? "failed" : "pending",
    attempts,
    lastStatus: result.status,
    lastError: result.error,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
  });
}

async function attempt(send: typeof fetch, request: { url: string; headers: Record<string, string>; body: string }) {
  try {
    const response = await send(request.url, { method: "POST", headers: request.headers, body: request.body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    const text = (await response.text()).slice(0, 300);
    // DingTalk and Slack answer 200 with an error in the body for some failures.
    const bodyError = /"errcode"\s*:\s*[1-9]/.test(text) ? `answered ${text}` : null;
    if (response.ok && !bodyError) return { ok: true as const, status: response.status, error: null };
    return { ok: false as const, status: response.status, error: bodyError ?? `HTTP ${response.status}: ${text}` };
  } catch (error) {
    return { ok: false as const, status: null, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

export interface AlertDispatcher {
  stop(): Promise<void>;
}

/** Every instance runs one: claims make each delivery go out once. */
export function startAlertDispatcher(db: Db, intervalMs: number, log: (m: string) => void): AlertDispatcher {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = deliverDue(db)
      .then(() => undefined)
      .catch((error: unknown) => log(`alerts: delivery pass failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`))
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, intervalMs);
          timer.unref();
        }
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
