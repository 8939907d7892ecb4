// How the dashboard words a config's last ended rollout: what happened and by whom, the reason
// shortened to fit a table cell (the full text one click away), and how long ago. Pure, so the
// page and its tests agree.

export interface EndedRolloutWords {
  status: string;
  endedBy: { type: string; label: string } | null;
}

const OUTCOME_WORDS: Record<string, string> = { promoted: "Promoted", rolled_back: "Rolled back", aborted: "Aborted" };

/** `Rolled back by the controller`, `Promoted by ana@example.com`, `Aborted` (nobody recorded). */
export function outcomeSentence(rollout: EndedRolloutWords): string {
  const what = OUTCOME_WORDS[rollout.status] ?? rollout.status.replace("_", " ");
  if (!rollout.endedBy) return what;
  return `${what} by ${rollout.endedBy.type === "controller" ? "the controller" : rollout.endedBy.label}`;
}

/**
 * A reason cut to about `max` characters at a word boundary, with an ellipsis; `cut` says whether
 * anything was left out (then the page offers the full text).
 */
export function shortReason(reason: string, max = 80): { text: string; cut: boolean } {
  const chars = [...reason.trim().replace(/\s+/g, " ")];
  if (chars.length <= max) return { text: chars.join(""), cut: false };
  const head = chars.slice(0, max - 1).join("");
  const space = head.lastIndexOf(" ");
  // Cut at the last space unless that leaves too little of the sentence.
  const kept = space >= max * 0.6 ? head.slice(0, space) : head;
  return { text: `${kept.replace(/[\s,;:.]+$/, "")}…`, cut: true };
}

/** `just now`, `12 min ago`, `3 h ago`, `2 days ago`; a time in the future (a skewed clock) is `just now`. */
export function agoText(thenMs: number, nowMs: number): string {
  const minutes = Math.floor((nowMs - thenMs) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
