import { diffLines } from "diff";
import { code, count, lineCounts, quote } from "./diff-words";
import { HISTORY_ROLE, type TemplateMessage } from "./llm-settings";
import type { FieldChange, MessageDiff, PromptLine } from "./version-schemas";

// Message-by-message diff of two chat templates. Messages are lined up in three passes: identical
// messages first, then the same text under another role, then edited messages of one role (most
// alike first; a message at the same place pairs even when rewritten). What stays unpaired was
// added or removed. A paired message "moved" when it left the longest run of pairs that kept their
// order, so a message inserted before others does not make them all move. Pure.

type Message = TemplateMessage;
type Pair = { from: number; to: number };

/** Pairs whose words overlap less than this are not one edited message (unless at the same place). */
const MIN_SIMILARITY = 0.3;

export function diffMessages(
  before: readonly Message[],
  after: readonly Message[],
): { messages: MessageDiff[]; changes: FieldChange[] } {
  const pairs = pairMessages(before, after);
  const kept = inOrder(pairs);
  const byTo = new Map(pairs.map((p) => [p.to, p]));
  const pairedFrom = new Set(pairs.map((p) => p.from));
  const messages: MessageDiff[] = [];
  const changes: FieldChange[] = [];
  const removedAt = (index: number) => {
    const entry = wholeMessage(before[index], "removed", index, null);
    messages.push(entry);
    changes.push(change("removed", index, before[index], null, entry.summary!));
  };
  // Removed messages go where they were: before the first kept message that came after them.
  let nextFrom = 0;
  const flushRemovedBefore = (limit: number) => {
    for (; nextFrom < limit; nextFrom++) if (!pairedFrom.has(nextFrom)) removedAt(nextFrom);
  };
  after.forEach((message, index) => {
    const pair = byTo.get(index);
    if (!pair) {
      const entry = wholeMessage(message, "added", null, index);
      messages.push(entry);
      changes.push(change("added", index, null, message, entry.summary!));
      return;
    }
    if (kept.has(pair)) flushRemovedBefore(pair.from);
    const entry = pairedMessage(before[pair.from], message, pair, !kept.has(pair));
    messages.push(entry);
    if (!entry.summary) return;
    changes.push(change(entry.moved ? "moved" : "changed", index, before[pair.from], message, entry.summary));
  });
  flushRemovedBefore(before.length);
  return { messages, changes };
}

/** A line diff of two texts, counting lines added and removed. */
export function diffText(
  before: string,
  after: string,
): { changed: boolean; added: number; removed: number; lines: PromptLine[] } {
  if (before === after) {
    return { changed: false, added: 0, removed: 0, lines: splitLines(before).map((text) => ({ op: "same", text })) };
  }
  const lines: PromptLine[] = [];
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    const op = part.added ? "added" : part.removed ? "removed" : "same";
    for (const text of splitLines(part.value)) {
      lines.push({ op, text });
      if (op === "added") added++;
      if (op === "removed") removed++;
    }
  }
  return { changed: true, added, removed, lines };
}

function pairMessages(before: readonly Message[], after: readonly Message[]): Pair[] {
  const pairs: Pair[] = [];
  const freeFrom = new Set(before.keys());
  const freeTo = new Set(after.keys());
  const pair = (from: number, to: number) => {
    pairs.push({ from, to });
    freeFrom.delete(from);
    freeTo.delete(to);
  };
  // 1. Identical messages, in order. 2. The same text under another role.
  for (const key of [identity, textOf]) {
    const waiting = new Map<string, number[]>();
    for (const i of freeFrom) {
      const k = key(before[i]);
      if (k !== null) waiting.set(k, [...(waiting.get(k) ?? []), i]);
    }
    for (const j of [...freeTo]) {
      const k = key(after[j]);
      const from = k === null ? undefined : waiting.get(k)?.shift();
      if (from !== undefined) pair(from, j);
    }
  }
  // 3. Edited messages of one role: the most alike pairs first.
  const candidates: (Pair & { score: number })[] = [];
  for (const i of freeFrom) {
    for (const j of freeTo) {
      if (before[i].role !== after[j].role) continue;
      const score = similarity(before[i], after[j]);
      if (score >= MIN_SIMILARITY || i === j) candidates.push({ from: i, to: j, score: score + (i === j ? 0.01 : 0) });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.to - b.to);
  for (const c of candidates) if (freeFrom.has(c.from) && freeTo.has(c.to)) pair(c.from, c.to);
  return pairs.sort((a, b) => a.to - b.to);
}

/** The pairs in the longest run whose `from` places rise with their `to` places (the rest moved). */
function inOrder(pairs: Pair[]): Set<Pair> {
  // Longest increasing subsequence of `from` over pairs sorted by `to`; at most 100 messages.
  const length = pairs.map(() => 1);
  const previous = pairs.map(() => -1);
  pairs.forEach((p, i) => {
    for (let j = 0; j < i; j++) {
      if (pairs[j].from < p.from && length[j] + 1 > length[i]) {
        length[i] = length[j] + 1;
        previous[i] = j;
      }
    }
  });
  const kept = new Set<Pair>();
  let at = length.indexOf(Math.max(0, ...length));
  for (; at !== -1; at = previous[at]) kept.add(pairs[at]);
  return kept;
}

function pairedMessage(before: Message, after: Message, pair: Pair, moved: boolean): MessageDiff {
  const text = diffText(contentOf(before), contentOf(after));
  const roleChanged = before.role !== after.role;
  const renamed = before.role === HISTORY_ROLE && after.role === HISTORY_ROLE && before.name !== after.name;
  const changed = text.changed || roleChanged || renamed;
  const edits: string[] = [];
  if (roleChanged) edits.push(`role ${before.role} → ${after.role}`);
  if (renamed) edits.push(`renamed ${code(before.name)} → ${code(after.name)}`);
  if (text.changed) edits.push(lineCounts(text.added, text.removed));
  let summary: string | null = null;
  if (moved) {
    const also = changed ? ` and changed: ${edits.join("; ")}` : "";
    summary = `${noun(after)} moved from ${pair.from + 1} to ${pair.to + 1}${also}`;
  } else if (changed) {
    summary = `message ${pair.to + 1} (${label(after)}) changed: ${edits.join("; ")}`;
  }
  return {
    status: changed ? "changed" : "same",
    moved,
    fromIndex: pair.from,
    toIndex: pair.to,
    from: before,
    to: after,
    added: text.added,
    removed: text.removed,
    lines: text.lines,
    summary,
  };
}

function wholeMessage(
  message: Message,
  status: "added" | "removed",
  fromIndex: number | null,
  toIndex: number | null,
): MessageDiff {
  const lines = splitLines(contentOf(message)).map((text) => ({ op: status, text }));
  const place = (fromIndex ?? toIndex)! + 1;
  const preview = message.role === HISTORY_ROLE ? "" : `: ${quote(message.content)}`;
  const size = status === "added" ? ` (${count(lines.length, "line")})` : "";
  return {
    status,
    moved: false,
    fromIndex,
    toIndex,
    from: status === "removed" ? message : null,
    to: status === "added" ? message : null,
    added: status === "added" ? lines.length : 0,
    removed: status === "removed" ? lines.length : 0,
    lines,
    summary: `message ${place} (${label(message)}) ${status}${preview}${size}`,
  };
}

function change(
  kind: FieldChange["kind"],
  index: number,
  from: Message | null,
  to: Message | null,
  summary: string,
): FieldChange {
  return { part: "messages", kind, field: `messages.${index}`, from, to, summary };
}

/** "user", "history placeholder `history`". */
const label = (m: Message) => (m.role === HISTORY_ROLE ? `history placeholder ${code(m.name)}` : m.role);
/** "system message", "history placeholder `history`". */
const noun = (m: Message) => (m.role === HISTORY_ROLE ? label(m) : `${m.role} message`);
const contentOf = (m: Message) => (m.role === HISTORY_ROLE ? "" : m.content);
const identity = (m: Message) =>
  m.role === HISTORY_ROLE ? `${HISTORY_ROLE}\u0000${m.name}` : `${m.role}\u0000${m.content}`;
const textOf = (m: Message) => (m.role === HISTORY_ROLE ? null : m.content);

/** Dice coefficient of the two contents' words (as multisets): 1 identical, 0 nothing shared. */
function similarity(a: Message, b: Message): number {
  const words = (m: Message) => contentOf(m).split(/\s+/).filter(Boolean);
  const left = words(a);
  const right = words(b);
  if (left.length + right.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const w of left) counts.set(w, (counts.get(w) ?? 0) + 1);
  let shared = 0;
  for (const w of right) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(w, n - 1);
    }
  }
  return (2 * shared) / (left.length + right.length);
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // a trailing newline ends the last line
  return lines;
}
