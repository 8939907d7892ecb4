import { Badge, type Tone } from "@/components/ui/badge";
import type { VersionDiffWire } from "@/lib/query/configs";
import { PromptDiff } from "./prompt-diff";

type MessageDiff = VersionDiffWire["messages"][number];

const STATUS: Record<MessageDiff["status"], { label: string; tone: Tone }> = {
  same: { label: "unchanged", tone: "gray" },
  changed: { label: "changed", tone: "amber" },
  added: { label: "added", tone: "green" },
  removed: { label: "removed", tone: "red" },
};

/** The two versions' messages lined up: each one's status, whether it moved, and its line diff. */
export function MessagesDiff({ messages }: { messages: VersionDiffWire["messages"] }) {
  return (
    <ol aria-label="Messages" className="flex flex-col gap-4">
      {messages.map((m, i) => {
        const message = (m.to ?? m.from)!;
        const role = message.role === "placeholder" ? `history placeholder ${message.name}` : message.role;
        const place = m.toIndex !== null ? `Message ${m.toIndex + 1}` : `Removed message ${m.fromIndex! + 1}`;
        const name = `${place} (${role})`;
        const status = STATUS[m.status];
        return (
          <li key={i} aria-label={name} className="flex flex-col gap-1.5">
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium">{name}</span>
              <Badge tone={status.tone}>{status.label}</Badge>
              {m.moved && <Badge tone="blue">moved from {m.fromIndex! + 1}</Badge>}
            </div>
            {m.summary && <p className="text-xs text-slate-700">{m.summary}</p>}
            {message.role === "placeholder" ? (
              <p className="text-xs italic text-slate-700">The app&apos;s conversation history goes here.</p>
            ) : (
              <PromptDiff lines={m.lines} label={`${name} line diff`} />
            )}
          </li>
        );
      })}
    </ol>
  );
}
