import { formatDuration } from "@/components/ui/time";
import { counted } from "@/lib/plural";
import type { RolloutWire } from "@/lib/query/configs";
import type { ReportWire } from "@/lib/query/rollouts";
import { isActive } from "@/lib/release/transitions";

type StageState = "done" | "current" | "next" | "rolled back here" | "aborted here" | "not reached";

const STATE_STYLE: Record<StageState, string> = {
  done: "border-green-300 bg-green-50 text-green-950",
  current: "border-blue-500 bg-blue-50 text-blue-950 ring-2 ring-blue-300",
  next: "border-slate-200 bg-slate-50 text-slate-700",
  "rolled back here": "border-red-300 bg-red-50 text-red-950",
  "aborted here": "border-slate-400 bg-slate-100 text-slate-900",
  "not reached": "border-dashed border-slate-300 bg-white text-slate-700",
};

/** Where stage i stands: an ended rollout has no current or next stage, only the one it ended in. */
function stageState(rollout: RolloutWire, i: number): StageState {
  if (rollout.status === "promoted" || i < rollout.currentStage) return "done";
  if (isActive(rollout.status)) return i === rollout.currentStage ? "current" : "next";
  if (i > rollout.currentStage) return "not reached";
  return rollout.status === "rolled_back" ? "rolled back here" : "aborted here";
}

/** The stages as steps, and the current one's progress toward its minimum duration and samples. */
export function StageProgress({ rollout, stage }: { rollout: RolloutWire; stage: ReportWire["stage"] }) {
  const live = isActive(rollout.status);
  return (
    <section aria-labelledby="stage-heading" className="rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="stage-heading" className="mb-3 text-lg font-semibold">
        Stages
      </h2>
      <ol className="flex flex-wrap gap-2" aria-label="Stages">
        {rollout.stages.map((s, i) => {
          const state = stageState(rollout, i);
          return (
            <li key={i} className={`rounded-md border px-3 py-1.5 text-sm ${STATE_STYLE[state]}`} aria-current={state === "current" ? "step" : undefined}>
              <span className="font-medium">{s.percent}%</span> <span className="text-xs">· {formatDuration(s.minDurationSec)} · {counted(s.minSamples, "sample")}</span>
              <span className="sr-only"> ({state})</span>
            </li>
          );
        })}
      </ol>
      {live && stage && (
        <div className="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Progress label="Time in stage" value={stage.elapsedSec} target={stage.minDurationSec} text={`${formatDuration(stage.elapsedSec)} of ${formatDuration(stage.minDurationSec)}`} />
          <Progress label="Canary samples in stage" value={stage.samples} target={stage.minSamples} text={`${stage.samples} of ${stage.minSamples}`} />
        </div>
      )}
    </section>
  );
}

function Progress({ label, value, target, text }: { label: string; value: number; target: number; text: string }) {
  const ratio = target <= 0 ? 1 : Math.min(1, value / target);
  return (
    <div>
      <div className="mb-1 flex justify-between text-sm">
        <span className="font-medium">{label}</span>
        <span className="text-slate-700">{text}</span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={target} aria-valuenow={Math.min(value, target)} aria-valuetext={text} className="h-2 overflow-hidden rounded-full bg-slate-200">
        <div className={`h-full ${ratio >= 1 ? "bg-green-600" : "bg-blue-600"}`} style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}
