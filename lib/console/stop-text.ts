// Stop sequences are often invisible characters ("\n\n", "\nUser:"), and a one-line input cannot
// hold a line break. The form writes them with escapes: `\n` a line break, `\t` a tab, `\r` a
// carriage return, `\\` a backslash; any other backslash is itself. Pure.

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\" };
const WRITTEN: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\" };

export function escapeStop(sequence: string): string {
  return sequence.replace(/[\n\t\r\\]/g, (c) => WRITTEN[c]);
}

export function unescapeStop(text: string): string {
  return text.replace(/\\([ntr\\])/g, (_match, c: string) => ESCAPES[c]);
}
