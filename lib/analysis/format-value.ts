import { UNIT_FORMATS, type MetricUnit } from "../guardrails/registry";

// Numbers in their unit as the console writes them, from the registry's UNIT_FORMATS (one entry per
// unit, so there is no switch over units or metrics here). Pure.

/** Significant digits of a value in a table, caption, tooltip or axis tick. */
const DIGITS = 3;
/** The most digits an interval gets so that its ends differ as written. */
const MAX_DIGITS = 12;

/** The unit is chosen on the value as rounded, so 999.7 ms is written in seconds as 1,000 ms is. */
function parts(value: number, unit: MetricUnit, digits: number) {
  const f = UNIT_FORMATS[unit];
  const number = value * f.scale;
  const larger = f.larger && Math.abs(Number(number.toPrecision(digits))) >= f.larger.from ? f.larger : null;
  return { number: larger ? number / larger.from : number, prefix: f.prefix, suffix: larger ? larger.suffix : f.suffix, decimals: f.decimals };
}

/** `digits` significant digits, whole numbers in full ("12,345"), and no exponent for anything a console shows. */
function significant(x: number, digits: number): string {
  if (x === 0) return "0";
  const text = x.toPrecision(digits);
  return Math.abs(x) >= 10 ** digits || text.includes("e+") ? Math.round(x).toLocaleString("en-US") : text;
}

const trimZeros = (text: string) => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);

/**
 * A value with its unit for a table, caption or tooltip: "899 ms", "1.23 s", "$0.00310", "4.20",
 * "12.5%"; "—" for no value. `extraDigits` adds precision (see formatInterval).
 */
export function formatValue(value: number | null, unit: MetricUnit, extraDigits = 0): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const p = parts(value, unit, DIGITS + extraDigits);
  const digits = p.decimals !== undefined ? p.number.toFixed(p.decimals + extraDigits) : significant(p.number, DIGITS + extraDigits);
  return `${p.prefix}${digits}${p.suffix}`;
}

/**
 * A chart axis's tick, as short as it reads: "1.6 s", "12 ms", "$0.003", "2%". Ticks are round
 * numbers, so three significant digits with the trailing zeros dropped tell neighbours apart.
 */
export function formatTick(value: number, unit: MetricUnit): string {
  if (!Number.isFinite(value)) return "";
  const p = parts(value, unit, DIGITS);
  return `${p.prefix}${trimZeros(significant(p.number, DIGITS))}${p.suffix}`;
}

export interface IntervalText {
  value: string;
  low: string;
  high: string;
  /** The ends read alike even at the most digits: the interval has (next to) no width. */
  same: boolean;
}

/**
 * An estimate and its interval's ends, all three with as many digits as it takes for the ends to
 * differ as written ("$0.003100 ($0.003095–$0.003105)", not "$0.00310 ($0.00310–$0.00310)"); `same`,
 * at the usual digits, when no number of digits tells them apart.
 */
export function formatInterval(i: { value: number; low: number; high: number }, unit: MetricUnit): IntervalText {
  const write = (extra: number) => ({ value: formatValue(i.value, unit, extra), low: formatValue(i.low, unit, extra), high: formatValue(i.high, unit, extra) });
  const base = UNIT_FORMATS[unit].decimals ?? DIGITS;
  for (let extra = 0; base + extra <= MAX_DIGITS; extra++) {
    const text = write(extra);
    if (text.low !== text.high) return { ...text, same: false };
  }
  return { ...write(0), same: true };
}
