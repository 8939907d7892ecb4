import { z } from "zod";

// Model prices (issue 14): USD per million input and output tokens, by model name — the name a
// version's `model` field holds, matched exactly.

/** Far above any list price: a typo of a few orders of magnitude is refused, not stored. */
export const MAX_USD_PER_MILLION = 10_000;

const usdPerMillion = z
  .number("must be a number")
  .min(0, "must be 0 or more")
  .max(MAX_USD_PER_MILLION, `must be at most ${MAX_USD_PER_MILLION} (USD per million tokens)`);

export const ModelNameSchema = z.string("must be a string").trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

/** Sets a model's price: adds the model, or replaces its price. */
export const SetPriceInput = z
  .object({ model: ModelNameSchema, inputUsdPerMillion: usdPerMillion, outputUsdPerMillion: usdPerMillion })
  .strict();
export type SetPriceInput = z.infer<typeof SetPriceInput>;

export const ModelPriceDto = z.object({
  model: z.string(),
  inputUsdPerMillion: z.number(),
  outputUsdPerMillion: z.number(),
  updatedAt: z.date(),
});
export type ModelPriceDto = z.infer<typeof ModelPriceDto>;
