import { Badge, type Tone } from "@/components/ui/badge";
import type { ReportWire } from "@/lib/query/rollouts";

const STATUS: Record<string, { tone: Tone; text: string }> = {
  running: { tone: "blue", text: "running" },
  paused: { tone: "amber", text: "paused" },
  promoted: { tone: "green", text: "promoted" },
  rolled_back: { tone: "red", text: "rolled back" },
  aborted: { tone: "gray", text: "aborted" },
};

export function StatusBadge({ status, awaitingApproval = false }: { status: string; awaitingApproval?: boolean }) {
  const s = STATUS[status] ?? { tone: "gray" as const, text: status };
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge tone={s.tone}>{s.text}</Badge>
      {awaitingApproval && <Badge tone="amber">awaiting approval</Badge>}
    </span>
  );
}

type Verdict = ReportWire["verdicts"][number];

/** Each guardrail's verdict as a word and a colour; the sentence is the tooltip. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const { tone, word } =
    verdict.status === "fail"
      ? { tone: "red" as const, word: "fail" }
      : verdict.status === "pass"
        ? { tone: "green" as const, word: "pass" }
        : verdict.warning
          ? { tone: "amber" as const, word: "warning" }
          : { tone: "gray" as const, word: "collecting" };
  return (
    <Badge tone={tone} title={verdict.sentence}>
      {verdict.label}: {word}
    </Badge>
  );
}
