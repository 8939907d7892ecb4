// Which label a new version is offered: the version editor's suggestion and the demo's canaries
// both count on from the latest label. Labels are free text, unique per config (v1.3.0, v2,
// prompt-a); only a trailing number is counted on. Pure.

/** The label offered for a config's first version. */
export const FIRST_LABEL = "v1";

/** The next free label after `label`: v1.2.0 → v1.2.1, v3 → v4, prompt-a → prompt-a-2. */
export function nextLabel(label: string, taken: readonly string[]): string {
  const match = /^(.*?)(\d+)$/.exec(label);
  const make = (n: number) => (match ? `${match[1]}${n}` : `${label}-${n}`);
  let n = match ? Number(match[2]) + 1 : 2;
  while (taken.includes(make(n))) n++;
  return make(n);
}

/**
 * The label for a new version of a config whose labels are `labels`, newest first (as the admin
 * API lists versions): the next after the latest, or FIRST_LABEL for a config with none.
 */
export function newVersionLabel(labels: readonly string[]): string {
  return labels.length === 0 ? FIRST_LABEL : nextLabel(labels[0], labels);
}
