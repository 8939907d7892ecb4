import { appendAuditEvent } from "../audit/repo";
import type { Actor } from "../auth/actor";
import { notifyChange } from "../change-notify";
import type { Db, DbOrTx } from "../db/types";
import { NotFoundError } from "../errors";
import { parseInput } from "../validation";
import { deletePriceRow, findPriceRow, listPriceRows, upsertPriceRow } from "./repo";
import type { TokenPrice } from "./cost";
import { ModelPriceDto, SetPriceInput } from "./schemas";

// The price table: listed by anyone who reads configs (costs are shown to them), changed by whoever
// manages prices. Each change is audited (the model name is the entity id) and announced, so every
// instance prices the next outcomes with it. A change prices outcomes stored after it; stored costs
// stay as they were.

const toDto = (row: unknown) => ModelPriceDto.parse(row);

export async function listPrices(db: Db): Promise<{ prices: ModelPriceDto[] }> {
  return { prices: (await listPriceRows(db)).map(toDto) };
}

/** The model's price as it is now, for the product's own calls (costOfTokens); undefined when it has none. */
export async function priceOf(db: DbOrTx, model: string): Promise<TokenPrice | undefined> {
  const row = await findPriceRow(db, model);
  return row ? { inputUsdPerMillion: row.inputUsdPerMillion, outputUsdPerMillion: row.outputUsdPerMillion } : undefined;
}

/** Adds the model with its price, or replaces the price it has. */
export async function setPrice(db: Db, actor: Actor, raw: unknown): Promise<ModelPriceDto> {
  const input = parseInput(SetPriceInput, raw);
  return db.$transaction(async (tx) => {
    const existing = await findPriceRow(tx, input.model);
    const after = toDto(await upsertPriceRow(tx, input));
    const before = existing ? toDto(existing) : undefined;
    await appendAuditEvent(tx, { actor, action: before ? "model_price.update" : "model_price.create", entityType: "model_price", entityId: after.model, before, after });
    await notifyChange(tx, { kind: "price", model: after.model });
    return after;
  });
}

export async function deletePrice(db: Db, actor: Actor, model: string): Promise<ModelPriceDto> {
  return db.$transaction(async (tx) => {
    const existing = await findPriceRow(tx, model);
    if (!existing) throw new NotFoundError(`No price for the model \`${model}\`.`);
    const before = toDto(await deletePriceRow(tx, model));
    await appendAuditEvent(tx, { actor, action: "model_price.delete", entityType: "model_price", entityId: model, before });
    await notifyChange(tx, { kind: "price", model });
    return before;
  });
}
