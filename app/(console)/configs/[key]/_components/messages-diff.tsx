import { Badge, type Tone } from "@/components/ui/badge";
import type { VersionDiffWire } from "@/lib/query/configs";
import { ROLE_STYLE } from "./editor-parts";
import { PromptDiff } from "./prompt-diff";
import { TemplateText, Words } from "./template-text";

type MessageDiff = VersionDiffWire["messages"][number];

const STATUS: Record<MessageDiff["status"], { label: string; tone: Tone; card: string }> = {
  same: { label: "unchanged", tone: "gray", card: "border-slate-200" },
  changed: { label: "changed", tone: "amber", card: "border-amber-300" },
  added: { label: "added", tone: "green", card: "border-green-300" },
  removed: { label: "removed", tone: "red", card: "border-red-300" },
};

/**
 * The two versions' messages lined up: each one's status, whether it moved, and its line diff
 * with the `{{variables}}` highlighted. Unchanged text is folded away, one click from view.
 */
export function MessagesDiff({ messages }: { messages: VersionDiffWire["messages"] }) {
  return (
    <ol aria-label="Messages" className="flex flex-col gap-3">
      {messages.map((m, i) => {
        const message = (m.to ?? m.from)!;
        const role = message.role === "placeholder" ? `history placeholder ${message.name}` : message.role;
        const place = m.toIndex !== null ? `Message ${m.toIndex + 1}` : `Removed message ${m.fromIndex! + 1}`;
        const name = `${place} (${role})`;
        const status = STATUS[m.status];
        return (
          <li key={i} aria-label={name} className={`flex flex-col gap-2 rounded-lg border bg-white p-3 ${status.card}`}>
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium">{place}</span>
              <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${ROLE_STYLE[message.role].badge}`}>{role}</span>
              <Badge tone={status.tone}>{status.label}</Badge>
              {m.moved && <Badge tone="blue">moved from {m.fromIndex! + 1}</Badge>}
            </div>
            {/* Counts and moves in words; an added or removed message shows its whole text below. */}
            {m.summary && (m.status === "changed" || m.moved) && (
              <p className="text-xs text-slate-700">
                <Words text={m.summary} />
              </p>
            )}
            {message.role === "placeholder" ? (
              <p className="text-xs text-slate-700">The app&apos;s conversation history goes here.</p>
            ) : m.status === "same" ? (
              <details className="text-xs">
                <summary className="cursor-pointer text-slate-700">Show the text</summary>
                <p className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono">
                  <TemplateText text={message.content} />
                </p>
              </details>
            ) : (
              <PromptDiff lines={m.lines} label={`${name} line diff`} />
            )}
          </li>
        );
      })}
    </ol>
  );
}
