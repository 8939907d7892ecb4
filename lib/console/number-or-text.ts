/**
 * A number typed into a form, for the request body: the number when the text is one, else the
 * trimmed text as it is, so the server's message names the field and what it got. Pure.
 */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}
