import fc from "fast-check";
import { HOSTILE_STRINGS, PROTOTYPE_KEYS, RAW_NUMBERS, SWEEP_TEXT } from "./hostile-values";

// Hostile query strings for the fuzz tests: the real parameters with one made hostile, left out,
// given twice or joined by unknown ones, or random parameters altogether.

export type QuerySpec =
  | { kind: "random"; entries: [string, string][] }
  | { kind: "replace"; key: string; value: string }
  | { kind: "delete"; key: string }
  | { kind: "extra"; key: string; value: string }
  | { kind: "duplicate"; key: string; value: string; hostileLast: boolean };

// Query values stay under ~2 KB encoded: Node refuses request heads over 16 KB (431) before
// any handler runs, and that is not what is tested here.
const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS, ...RAW_NUMBERS, "99999999999999999999", "9223372036854775808", "-9223372036854775809", "00000000000000000001", "1.5", "1e2", "+3", "") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(65, 101, 201, 257, 301, 1001).map((n) => "q".repeat(n)) },
);

export function querySpec(sample: Record<string, string>): fc.Arbitrary<QuerySpec> {
  const keys = Object.keys(sample);
  const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, "", "\u0000", "a[b]", "x".repeat(300)), fc.string({ unit: "binary", maxLength: 10 }));
  return fc.oneof(
    fc.record({ kind: fc.constant("random" as const), entries: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...keys), key), queryString), { maxLength: 5 }) }),
    fc.record({ kind: fc.constant("replace" as const), key: fc.constantFrom(...keys), value: queryString }),
    fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom(...keys) }),
    fc.record({ kind: fc.constant("extra" as const), key, value: queryString }),
    fc.record({ kind: fc.constant("duplicate" as const), key: fc.constantFrom(...keys), value: queryString, hostileLast: fc.boolean() }),
  );
}

export function renderQuery(spec: QuerySpec, sample: Record<string, string>): URLSearchParams {
  if (spec.kind === "random") return new URLSearchParams(spec.entries);
  const params = new URLSearchParams(Object.entries(sample).filter(([k]) => spec.kind !== "delete" || k !== spec.key));
  if (spec.kind === "replace") params.set(spec.key, spec.value);
  if (spec.kind === "extra") params.append(spec.key, spec.value);
  if (spec.kind === "duplicate") {
    params.delete(spec.key);
    const [first, last] = spec.hostileLast ? [sample[spec.key], spec.value] : [spec.value, sample[spec.key]];
    params.append(spec.key, first);
    params.append(spec.key, last);
  }
  return params;
}

/** For every query parameter. Numeric edge cases matter for ids and cursors (admin only: on the client API a
 * well-formed unknown config key makes the answer wait for a snapshot reload, up to a second each). */
export const SWEEP_QUERY_VALUES = [...SWEEP_TEXT, "-1", "NaN", "q".repeat(1001)];
export const SWEEP_NUMERIC_QUERY_VALUES = ["9223372036854775807", "9223372036854775808", "99999999999999999999", "1e309"];

