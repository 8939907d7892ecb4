import type { Actor } from "../auth/actor";
import { maskUrl } from "../audit/redact";
import { appendAuditEvent } from "../audit/repo";
import type { Db, DbOrTx } from "../db/types";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import { checkOutboundUrl } from "../outbound/target";
import { parseInput, validationError } from "../validation";
import { sendDelivery } from "./dispatch";
import { findChannel, findDeliveries, insertChannel, insertDeliveries, listChannels, listDeliveries, updateChannel } from "./repo";
import { ChannelDto, CreateChannelInput, DeliveryDto, UpdateChannelInput, type AlertPayload } from "./schemas";

// Alert channels (webhook, Slack, DingTalk): create, change, test, and read their delivery log.
// Changes are audited; a channel's secret and its URL's path and query are never shown or audited. A URL the outbound policy
// refuses (lib/outbound) is refused when saved, and again at every send.

// A webhook URL's path and query are its credential (a Slack or DingTalk token): answers show its
// scheme and host only, as the audit log does; a change leaves it out to keep it.
const toDto = (row: { secret: string | null; url: string }) => ChannelDto.parse({ ...row, url: maskUrl(row.url), hasSecret: row.secret !== null });

async function requireChannel(db: DbOrTx, id: string) {
  const row = await findChannel(db, id);
  if (!row) throw new NotFoundError(`No alert channel with id ${id}.`);
  return row;
}

/** A 400 naming the `url` field when the outbound policy refuses it (it is judged again at each send). */
async function requireAllowedUrl(url: string | undefined): Promise<void> {
  const refusal = url === undefined ? null : await checkOutboundUrl(url);
  if (refusal) throw validationError([{ path: "url", message: refusal.message }]);
}

export async function createAlertChannel(db: Db, actor: Actor, raw: unknown): Promise<ChannelDto> {
  const input = parseInput(CreateChannelInput, raw);
  await requireAllowedUrl(input.url);
  return db.$transaction(async (tx) => {
    const dto = toDto(await insertChannel(tx, { id: newId("ach"), ...input }));
    await appendAuditEvent(tx, { actor, action: "alert_channel.create", entityType: "alert_channel", entityId: dto.id, after: dto });
    return dto;
  });
}

export async function listAlertChannels(db: Db): Promise<{ channels: ChannelDto[] }> {
  return { channels: (await listChannels(db)).map(toDto) };
}

export async function getAlertChannel(db: Db, id: string): Promise<ChannelDto> {
  return toDto(await requireChannel(db, id));
}

export async function updateAlertChannel(db: Db, actor: Actor, id: string, raw: unknown): Promise<ChannelDto> {
  const input = parseInput(UpdateChannelInput, raw);
  await requireAllowedUrl(input.url);
  return db.$transaction(async (tx) => {
    const before = toDto(await requireChannel(tx, id));
    const after = toDto(await updateChannel(tx, id, input));
    await appendAuditEvent(tx, { actor, action: "alert_channel.update", entityType: "alert_channel", entityId: id, before, after });
    return after;
  });
}

/** Sends a test alert to this channel now (whatever its event filter) and answers with the attempt. */
export async function sendTestAlert(db: Db, actor: Actor, id: string): Promise<DeliveryDto> {
  const channel = await requireChannel(db, id);
  const payload: AlertPayload = {
    event: "test",
    at: new Date().toISOString(),
    title: "LLM Canary test alert",
    text: `A test of the channel "${channel.name}", sent by ${actor.label}.`,
    rollout: null,
    actor: actor.label,
    reason: null,
    consoleUrl: null,
  };
  const deliveryId = newId("adl");
  // Out of the background dispatcher's reach while this request sends it.
  await insertDeliveries(db, [{ id: deliveryId, channelId: id, event: "test", payload: JSON.parse(JSON.stringify(payload)), nextAttemptAt: new Date(Date.now() + 120_000) }]);
  const [delivery] = await findDeliveries(db, [deliveryId]);
  return DeliveryDto.parse(await sendDelivery(db, delivery));
}

export async function listAlertDeliveries(db: Db, id: string): Promise<{ deliveries: DeliveryDto[] }> {
  await requireChannel(db, id);
  return { deliveries: (await listDeliveries(db, id, 100)).map((row) => DeliveryDto.parse(row)) };
}
