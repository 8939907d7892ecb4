// What a call cost from its token counts and its model's price. Both counts are needed: a cost
// from one of them would look exact while leaving out the other half of the bill.

export interface TokenPrice {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

/** USD, or null when the price or either token count is unknown. */
export function costOfTokens(price: TokenPrice | undefined, inputTokens: number | null | undefined, outputTokens: number | null | undefined): number | null {
  if (!price || inputTokens == null || outputTokens == null) return null;
  return (inputTokens * price.inputUsdPerMillion + outputTokens * price.outputUsdPerMillion) / 1_000_000;
}
