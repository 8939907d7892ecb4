// Counts in words: "1 line", "3 lines", "1,200 requests". One helper, so no page says "1 lines".
// Pure; a shared leaf (imports nothing).

/** The noun for a count: singular for exactly one. `plural` defaults to the singular plus "s". */
export function nounFor(n: number, singular: string, plural = `${singular}s`): string {
  return n === 1 ? singular : plural;
}

/** A count with its noun, the number written for English readers: "1 line", "1,200 requests". */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString("en-US")} ${nounFor(n, singular, plural)}`;
}

/**
 * The singular of a noun the code keeps in the plural, such as a metric's samples ("requests",
 * "costed requests", "ratings"): the last word loses its "s". A word that is not a plural
 * ("scored") stays as it is.
 */
export function singularOf(plural: string): string {
  return /[^s]s$/.test(plural) ? plural.slice(0, -1) : plural;
}
