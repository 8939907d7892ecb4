import { isActive } from "../release/transitions";
import type { DemoAdmin, DemoRollout } from "./demo-admin";
import type { SimulatorCounters } from "./simulator";

// What `npm run demo` prints while it runs: a line per config every few seconds, and a line
// whenever a rollout advances, promotes or rolls back. Read through the admin API's rollout and
// report operations (lib/demo/demo-admin.ts).

export interface Watched {
  key: string;
  rolloutId: string;
}

export interface ProgressWatcher {
  /** Lines for what changed since the last call (advances, ends). */
  changes(): Promise<string[]>;
  /** One status line per config; with `activeOnly`, none for rollouts that have ended (their end was announced). */
  status(counters: SimulatorCounters, activeOnly?: boolean): Promise<string[]>;
  /** True once every watched rollout has ended. */
  allEnded(): boolean;
}

export function watchRollouts(admin: DemoAdmin, watched: readonly Watched[], startedAt = Date.now()): ProgressWatcher {
  const last = new Map<string, DemoRollout>();
  const width = Math.max(...watched.map((w) => w.key.length));
  const since = () => `${Math.round((Date.now() - startedAt) / 1000)} s into the demo`;

  return {
    async changes() {
      const lines: string[] = [];
      for (const { key, rolloutId } of watched) {
        const now = await admin.rollout(rolloutId);
        const before = last.get(rolloutId);
        last.set(rolloutId, now);
        if (!before) continue;
        if (now.status !== before.status && !isActive(now.status)) lines.push(endLine(key, now, since()));
        else if (now.currentStage !== before.currentStage) {
          lines.push(`${key}: advanced to stage ${now.currentStage + 1} of ${now.stages.length} (${now.percent}% of users on ${now.canaryVersion.label}), ${since()}`);
        } else if (now.awaitingApproval && !before.awaitingApproval) lines.push(`${key}: the last stage is done; waiting for a person to promote`);
        else if (now.status !== before.status) lines.push(`${key}: ${now.status === "paused" ? "paused; nothing advances until it is resumed" : "resumed"}`);
      }
      return lines;
    },
    async status(counters, activeOnly = false) {
      const lines: string[] = [];
      for (const { key, rolloutId } of watched) {
        const rollout = last.get(rolloutId) ?? (await admin.rollout(rolloutId));
        if (activeOnly && !isActive(rollout.status)) continue;
        const sent = counters.byConfig[key];
        const traffic = sent ? `sent ${sent.sent} (stable ${sent.stable}, canary ${sent.canary}${sent.failed ? `, failed ${sent.failed}` : ""})` : "no traffic";
        let state: string;
        if (isActive(rollout.status)) {
          state = `${rollout.status}, stage ${rollout.currentStage + 1}/${rollout.stages.length} at ${rollout.percent}%: ${await admin.recommendation(rolloutId)}`;
        } else {
          state = `${rollout.status.replace("_", " ")} (${rollout.canaryVersion.label})`;
        }
        lines.push(`${key.padEnd(width)}  ${traffic}  ${state}`);
      }
      return lines;
    },
    allEnded: () => watched.every((w) => {
      const rollout = last.get(w.rolloutId);
      return rollout !== undefined && !isActive(rollout.status);
    }),
  };
}

function endLine(key: string, rollout: DemoRollout, after: string): string {
  switch (rollout.status) {
    case "promoted":
      return `${key}: PROMOTED, ${after}: ${rollout.canaryVersion.label} is the stable version now`;
    case "rolled_back":
      return `${key}: ROLLED BACK, ${after}; everyone is on ${rollout.baseVersion.label} again. ${rollout.endReason ?? ""}`.trim();
    default:
      return `${key}: ${rollout.status.replace("_", " ")}, ${after}${rollout.endReason ? `: ${rollout.endReason}` : ""}`;
  }
}
