import fc from "fast-check";

// Hostile values for property tests (tests/integration/fuzz-*.test.ts): what goes into one field
// of a body (hostile-body.ts) or a query string (hostile-query.ts). A value is a small, printable
// description — what fast-check shows and shrinks — rendered as JSON text only when it is sent, so
// a 10 MB string or 20,000 levels of nesting never end up in a counterexample, and the test
// process only builds strings from them (it never recurses over them).

/** A value to put somewhere in a body: ordinary JSON, or JSON text that JSON.stringify cannot write. */
export type HostileValue =
  | { t: "json"; v: unknown }
  | { t: "raw"; text: string } // e.g. 1e309 (parses to Infinity), -0, 9007199254740993
  | { t: "huge"; length: number; unit: string }
  | { t: "deep"; depth: number; open: "array" | "object" }
  | { t: "many"; count: number; item: unknown };

// Strings that break things elsewhere: NUL and control characters (PostgreSQL text refuses NUL),
// lone surrogates, bidi overrides, zero-width and combining characters, 4-byte characters,
// injection-looking and prototype-looking text.
export const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31m",
  "\r\n",
  "\ud800",
  "\udfff\ud800",
  "\uffff\ufffe",
  "\u202eevil\u202c",
  "\u200b",
  "e\u0301\u0301\u0301",
  "😀👩‍👩‍👧‍👦",
  "İı",
  "NaN",
  "Infinity",
  "-Infinity",
  "-1",
  "1e309",
  "0x10",
  " 7 ",
  "true",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "' OR '1'='1' --",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "%00%ff",
  "${process.env.HOME}",
  "lck_000000000000_00000000000000000000000000000000",
];

export const RAW_NUMBERS = ["-0", "-1", "-1e-300", "1e309", "-1e309", "1e21", "9007199254740993", "2147483648", "9223372036854775808", "1e-7", "0.30000000000000004", "4.9e-324"];

// Lengths just over the product's limits (64, 100, 200, 256, 1000, 2000, 4000, 16 KB, 100,000).
const HUGE_LENGTHS = [65, 101, 201, 257, 1001, 2001, 4001, 16_385, 100_001];

export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toJSON", "valueOf"];

const smallJson = fc.jsonValue({ maxDepth: 3 });

export const hostileValue: fc.Arbitrary<HostileValue> = fc.oneof(
  { weight: 3, arbitrary: smallJson.map((v): HostileValue => ({ t: "json", v })) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((v): HostileValue => ({ t: "json", v })) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map((v): HostileValue => ({ t: "json", v })) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((text): HostileValue => ({ t: "raw", text })) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.integer({ min: -2_000_000_000, max: -1 }), fc.double({ min: -1e12, max: -Number.MIN_VALUE, noNaN: true })).map((v): HostileValue => ({ t: "json", v })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ length: fc.constantFrom(...HUGE_LENGTHS), unit: fc.constantFrom("x", "é", "😀", "\u0000", "\ud800") }).map((h): HostileValue => ({ t: "huge", ...h })),
  },
  { weight: 2, arbitrary: fc.record({ depth: fc.constantFrom(2, 64, 1000, 5000, 20_000), open: fc.constantFrom("array" as const, "object" as const) }).map((d): HostileValue => ({ t: "deep", ...d })) },
  { weight: 1, arbitrary: fc.record({ count: fc.constantFrom(21, 1001, 10_001), item: fc.constantFrom<unknown>("u", 1, {}, null) }).map((m): HostileValue => ({ t: "many", ...m })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...PROTOTYPE_KEYS).map((key): HostileValue => ({ t: "raw", text: `{${JSON.stringify(key)}:{"polluted":true,"prototype":{"polluted":true}}}` })),
  },
);

/** Renders a hostile value as JSON text. */
export function renderValue(value: HostileValue): string {
  switch (value.t) {
    case "json":
      return JSON.stringify(value.v) ?? "null";
    case "raw":
      return value.text;
    case "huge":
      return JSON.stringify(value.unit.repeat(Math.ceil(value.length / value.unit.length)).slice(0, Math.max(value.length, value.unit.length)));
    case "deep":
      return value.open === "array" ? "[".repeat(value.depth) + "]".repeat(value.depth) : '{"a":'.repeat(value.depth) + "null" + "}".repeat(value.depth);
    case "many":
      return `[${Array(value.count).fill(JSON.stringify(value.item)).join(",")}]`;
  }
}

/** A short label for logs: the kind of value, without its bytes. */
export function describeValue(value: HostileValue): string {
  switch (value.t) {
    case "json":
      return (JSON.stringify(value.v) ?? "undefined").slice(0, 40);
    case "raw":
      return value.text.slice(0, 40);
    case "huge":
      return `${value.length} × ${JSON.stringify(value.unit)}`;
    case "deep":
      return `${value.depth} nested ${value.open === "array" ? "arrays" : "objects"}`;
    case "many":
      return `${value.count} × ${JSON.stringify(value.item)}`;
  }
}

// The deterministic sweep: each of these in every field of every sample (random runs reach a
// given field with a given value only now and then).
export const SWEEP_TEXT = ["\u0000", "a\u0000b", "\ud800", "x\udc00y"]; // PostgreSQL refuses NUL; jsonb refuses lone surrogates
/** The values the sweep puts in a field: SWEEP_TEXT in text fields, 1e309 in numeric ones, deep nesting anywhere. */
export function sweepValues(sampleValue: unknown): HostileValue[] {
  const deep: HostileValue = { t: "deep", depth: 5000, open: "object" };
  if (typeof sampleValue === "string") return [...SWEEP_TEXT.map((v): HostileValue => ({ t: "json", v })), deep];
  if (typeof sampleValue === "number") return [{ t: "raw", text: "1e309" }, deep];
  return [deep];
}
