// What a benchmark promises, as data next to the figures it prints: each target names a figure,
// the bound it must keep and, for speed targets, the environment variable that changes the bound
// for one run (a slower machine, or showing that a miss fails the run). Correctness targets
// (nothing lost, equal to a recomputation) have no such variable: they cannot be loosened.
import { fmt } from "./harness";

export interface Target {
  /** The figure, as printed: "app p99". */
  name: string;
  /** Printed after numbers: "ms", "×", "events/s"; "" for counts. */
  unit: string;
  /** "min": the figure must be at least `limit`; "max": at most. */
  bound: "min" | "max";
  limit: number;
  /** Decimals printed. */
  digits?: number;
  /** Replaces `limit` for one run when set. */
  env?: string;
}

export interface Measured {
  target: Target;
  value: number;
  /** What stands behind the figure, printed with it ("accepted 1,020,000, stored 1,020,000"). */
  detail?: string;
}

/** The target's bound in this run: its `env` variable's value when set. */
export function limitOf(target: Target): number {
  const raw = target.env ? process.env[target.env] : undefined;
  if (raw === undefined || raw === "") return target.limit;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${target.env} must be a number; it was \`${raw}\`.`);
  return value;
}

const withUnit = (n: number, target: Target) => `${fmt(n, target.digits ?? 0)}${target.unit ? ` ${target.unit}` : ""}`;

/**
 * Prints each figure against its target, and when any is missed, which ones and by how much, and
 * sets the exit code to 1. Returns whether every target was met. A figure that could not be
 * measured (NaN) is a miss.
 */
export function checkTargets(bench: string, measured: readonly Measured[]): boolean {
  const missed: string[] = [];
  console.info(`\ntargets of ${bench}:`);
  for (const { target, value, detail } of measured) {
    const limit = limitOf(target);
    const ok = target.bound === "min" ? value >= limit : value <= limit;
    const sign = target.bound === "min" ? "≥" : "≤";
    const changed = limit !== target.limit ? `; ${target.env} set, stated ${sign} ${withUnit(target.limit, target)}` : "";
    const figure = Number.isNaN(value) ? "not measured" : withUnit(value, target);
    let line = `  ${ok ? "met   " : "MISSED"}  ${target.name}: ${figure} (target ${sign} ${withUnit(limit, target)}${changed})`;
    if (!ok) {
      const by = Math.abs(value - limit);
      const share = limit !== 0 && Number.isFinite(by) ? ` (${((100 * by) / Math.abs(limit)).toFixed(1)} %)` : "";
      const miss = Number.isNaN(value) ? "" : `, missed by ${withUnit(by, target)}${share}`;
      line += miss;
      missed.push(`${target.name}${miss}`);
    }
    console.info(detail ? `${line} — ${detail}` : line);
  }
  if (missed.length) {
    const list = missed.map((m) => `  ${m}`).join("\n");
    console.error(`\nFAILED: ${bench} missed ${missed.length} of ${measured.length} targets:\n${list}`);
    process.exitCode = 1;
  }
  return missed.length === 0;
}
