import type { OutputLine } from "../../helpers/app-process";
import type { Checks } from "./checks";

// What the app's own log says went wrong during a run. A line counts as an error line when it
// says something failed, was lost or could not be done, or carries an exception; the controller's
// reports of its actions quote verdicts ("canary error rate 2.0% …"), so a lowercase "error" alone
// is not a sign. Each script names the error lines its faults are expected to cause, with the
// window they may appear in; any other error line fails the run.

const ERROR_LINE = /\b(failed|unhandled|unreachable|could not|lost)\b|Error\b|ECONN[A-Z]+|EPIPE|⨯/;

export interface ExpectedErrorLines {
  pattern: RegExp;
  /** Why the run causes them, printed with the check. */
  why: string;
  /** Allowed only from..until (performance.now() in this process); anywhere when absent. */
  from?: number;
  until?: number;
}

interface Logged {
  label: string;
  lines: readonly OutputLine[];
}

/** Checks that each app's log has no error line but the expected ones; prints the ones it found. */
export function checkErrorLines(checks: Checks, apps: readonly Logged[], expected: readonly ExpectedErrorLines[] = []): boolean {
  const allowed = (line: OutputLine) =>
    expected.some((e) => e.pattern.test(line.text) && line.at >= (e.from ?? -Infinity) && line.at <= (e.until ?? Infinity));
  const found = apps.flatMap((app) => app.lines.filter((l) => ERROR_LINE.test(l.text)).map((line) => ({ app, line })));
  const unexpected = found.filter(({ line }) => !allowed(line));
  const foreseen = found.filter(({ line }) => allowed(line));
  const show = (list: typeof found, most: number) =>
    list.slice(0, most).map(({ app, line }) => `\n    ${app.label}| ${line.text}`).join("");
  let detail = `${found.length} error lines, ${unexpected.length} unexpected${show(unexpected, 10)}`;
  if (expected.length) {
    const explained = expected.map((e) => `${e.pattern} (${e.why})`).join("; ");
    detail += `\n    expected: ${explained}; ${foreseen.length} of these${foreseen.length ? `, e.g.${show(foreseen, 5)}` : ""}`;
  }
  const name = `no unexpected error lines in the log of ${apps.map((a) => a.label).join(", ")}`;
  return checks.expect(name, unexpected.length === 0, detail);
}
