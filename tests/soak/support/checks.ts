import { availableParallelism, loadavg } from "node:os";

// What a soak script found: each property checked, with the numbers behind it, printed as one
// table at the end; any failed property makes the script exit 1. Plus the small statistics the
// scripts print (percentiles over raw samples, no interpolation).

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export class Checks {
  private readonly list: Check[] = [];

  /** Records a property; returns whether it held. */
  expect(name: string, ok: boolean, detail: string): boolean {
    this.list.push({ name, ok, detail });
    console.info(`${ok ? "ok  " : "FAIL"}  ${name}: ${detail}`);
    return ok;
  }

  /** A failure that stops the script's plan (a step that could not happen at all). */
  fail(name: string, detail: string): never {
    this.expect(name, false, detail);
    throw new StopRun(`${name}: ${detail}`);
  }

  get failed(): Check[] {
    return this.list.filter((c) => !c.ok);
  }

  private summary(title: string): void {
    console.info(`\n${title}: ${this.list.length - this.failed.length} of ${this.list.length} properties held (${machineLoad()})`);
    for (const check of this.failed) console.info(`  FAILED  ${check.name}: ${check.detail}`);
  }

  /**
   * A script's whole run: `plan`, where an error other than StopRun is a failed property rather
   * than a crash; then `cleanup` (which may read `failed`); then the summary, and exit 1 when any
   * property failed.
   */
  async run(title: string, plan: () => Promise<void>, cleanup: () => Promise<void>): Promise<never> {
    try {
      await plan();
    } catch (error) {
      if (!(error instanceof StopRun)) {
        console.error(error);
        this.expect("the run completed", false, error instanceof Error ? error.message : String(error));
      }
    } finally {
      await cleanup();
    }
    this.summary(title);
    process.exit(this.failed.length ? 1 : 0);
  }
}

/** The local PostgreSQL server the scripts make their scratch database on. */
export const SCRATCH_SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Thrown by Checks.fail: the script reports it as a failed property, not as a crash. */
export class StopRun extends Error {}

/** The q-quantile (0..1) of the samples: the smallest value with at least q of them at or below it. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a";
}

export function int(value: number): string {
  return value.toLocaleString("en-US");
}

export const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Polls `probe` until it returns a non-null value; null after `timeoutMs`. */
export async function waitUntil<T>(probe: () => Promise<T | null>, timeoutMs: number, everyMs = 200): Promise<T | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (performance.now() > deadline) return null;
    await sleep(everyMs);
  }
}

/** `--help` / `-h`: prints the usage and exits 0. */
export function handleHelp(usage: string): void {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.info(usage.trim());
    process.exit(0);
  }
}

/** A positive number from the environment, or the default; a bad value stops the script. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number; it was \`${raw}\`.`);
  return value;
}

/** The machine's 1-minute load average and core count: these scripts share the machine with whatever else runs. */
export function machineLoad(): string {
  return `load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`;
}
