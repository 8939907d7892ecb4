"use client";

import Link from "next/link";
import { StatusBadge } from "@/components/rollout/badges";
import { LINK } from "@/components/ui/styles";
import { agoText, outcomeSentence, shortReason } from "@/lib/console/last-outcome";
import { useNow } from "@/lib/hooks/use-now";
import type { ConfigListItemWire } from "@/lib/query/configs";

type EndedRollout = NonNullable<ConfigListItemWire["lastEndedRollout"]>;

/**
 * A config's last ended rollout, for a row without an active one: its outcome and who decided it,
 * how long ago, and why (shortened; the whole reason one click away). Shown until the next starts.
 */
export function LastOutcome({ rollout }: { rollout: EndedRollout }) {
  const now = useNow(30_000);
  return (
    <div className="flex flex-col gap-1 text-xs text-slate-700">
      <span className="flex flex-wrap items-center gap-2">
        <span>
          Last rollout:{" "}
          <Link href={`/rollouts/${rollout.id}`} className={`${LINK} font-medium`}>
            {rollout.canaryVersion.label}
          </Link>
        </span>
        <StatusBadge status={rollout.status} />
      </span>
      <span>
        {outcomeSentence(rollout)}
        {rollout.endedAt && (
          <>
            {" · "}
            <time dateTime={rollout.endedAt} title={new Date(rollout.endedAt).toLocaleString()}>
              {agoText(Date.parse(rollout.endedAt), now)}
            </time>
          </>
        )}
      </span>
      {rollout.endReason && <Reason text={rollout.endReason} />}
    </div>
  );
}

function Reason({ text }: { text: string }) {
  const short = shortReason(text);
  if (!short.cut) return <span className="break-words">Reason: {short.text}</span>;
  return (
    <details>
      <summary className="cursor-pointer break-words">
        Reason: {short.text} <span className="underline">full reason</span>
      </summary>
      <p className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-50 p-2">{text}</p>
    </details>
  );
}
