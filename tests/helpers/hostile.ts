import fc from "fast-check";

// Hostile request bodies for property tests (tests/integration/fuzz-*.test.ts; query strings are in
// hostile-query.ts). An input is a small, printable description — what fast-check shows and
// shrinks — and its bytes are rendered only when it is sent, so a 10 MB body or 20,000 levels of
// nesting never end up in a counterexample, and the test process only builds strings from them
// (it never recurses over them).

/** A value to put somewhere in a body: ordinary JSON, or JSON text that JSON.stringify cannot write. */
export type HostileValue =
  | { t: "json"; v: unknown }
  | { t: "raw"; text: string } // e.g. 1e309 (parses to Infinity), -0, 9007199254740993
  | { t: "huge"; length: number; unit: string }
  | { t: "deep"; depth: number; open: "array" | "object" }
  | { t: "many"; count: number; item: unknown };

export type Path = (string | number)[];

export type BodySpec =
  | { kind: "whole"; value: HostileValue } // any value as the whole body
  | { kind: "replace"; path: Path; value: HostileValue } // the real shape, one field hostile
  | { kind: "delete"; path: Path }
  | { kind: "extraKey"; at: Path; key: string; value: HostileValue }
  | { kind: "duplicateKey"; path: Path; value: HostileValue; hostileLast: boolean }
  | { kind: "asArray" } // the real shape inside an array
  | { kind: "notJson"; text: string }
  | { kind: "contentType"; contentType: string | null; body: BodySpec }
  | { kind: "oversize"; extraBytes: number; declared: boolean }
  | { kind: "empty"; text: string };

export interface RenderedBody {
  text: string;
  /** null: no Content-Type header at all. */
  contentType: string | null;
  /** Send the length in a Content-Length header (else the body streams, chunked). */
  declared: boolean;
}

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

/** Every path in a sample body that a field can be replaced at (objects' keys and array items, recursively). */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

/** Paths of the objects in a sample (the root included): where an extra key can go. */
function objectPathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const here = Array.isArray(value) ? [] : [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...here, ...entries.flatMap(([k, v]) => objectPathsOf(v, [...prefix, k]))];
}

const HOLE = "@@fuzz-hole-7f3a@@";

/** The sample as JSON text with the member at `path` replaced by what `replace` returns (given `"key":`), or removed when it returns null. */
function renderWith(sample: unknown, path: Path, replace: (keyJson: string) => string | null): string {
  const copy = structuredClone(sample) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  parent[last] = HOLE;
  const json = JSON.stringify(copy);
  const keyJson = typeof last === "number" ? "" : `${JSON.stringify(last)}:`;
  const hole = `${keyJson}${JSON.stringify(HOLE)}`;
  const replacement = replace(keyJson);
  if (replacement !== null) return json.replace(hole, replacement);
  // Removing: drop the member and the comma next to it.
  return json.replace(`,${hole}`, "").replace(`${hole},`, "").replace(hole, "");
}

/** The sample as JSON text with `member` (raw `"key":value` text) added to the object at `at`. */
function renderWithMember(sample: unknown, at: Path, member: string): string {
  const copy = structuredClone(sample);
  (valueAt(copy, at) as Record<string, unknown>)[HOLE] = 0;
  return JSON.stringify(copy).replace(`${JSON.stringify(HOLE)}:0`, member);
}

const CONTENT_TYPES: (string | null)[] = [
  null,
  "",
  "text/plain",
  "text/plain; charset=utf-8",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzz",
  "application/xml",
  "application/jsonp",
  "application/json5",
  "application/javascript",
  "json",
  "*/*",
];

const NOT_JSON = ["{", "}", "[1,]", "{'a':1}", '{"a":1,}', "NaN", "undefined", "{a:1}", '"unterminated', "\u0000", "\ufeff{}", "<xml/>", "a=1&b=2", "--fuzz\r\nContent-Disposition: form-data\r\n\r\n1", "1 2", "{}{}", "[] x"];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Hostile bodies for an endpoint whose valid body looks like `sample`. */
export function bodySpec(sample: unknown): fc.Arbitrary<BodySpec> {
  const paths = pathsOf(sample);
  const keyPaths = paths.filter((p) => typeof p[p.length - 1] === "string");
  const objectPaths = objectPathsOf(sample);
  const shaped: fc.Arbitrary<BodySpec>[] = [];
  if (paths.length) {
    shaped.push(fc.record({ kind: fc.constant("replace" as const), path: fc.constantFrom(...paths), value: hostileValue }));
    shaped.push(fc.record({ kind: fc.constant("delete" as const), path: fc.constantFrom(...paths) }));
  }
  if (keyPaths.length) {
    shaped.push(fc.record({ kind: fc.constant("duplicateKey" as const), path: fc.constantFrom(...keyPaths), value: hostileValue, hostileLast: fc.boolean() }));
  }
  if (objectPaths.length) {
    const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, "", " ", "\u0000", "😀"), fc.string({ unit: "binary", maxLength: 12 }), fc.constant("k".repeat(5000)));
    shaped.push(fc.record({ kind: fc.constant("extraKey" as const), at: fc.constantFrom(...objectPaths), key, value: hostileValue }));
  }
  const wellFormed = fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("whole" as const), value: hostileValue }) },
    { weight: 1, arbitrary: fc.constant<BodySpec>({ kind: "asArray" }) },
    { weight: 6, arbitrary: fc.oneof(...(shaped.length ? shaped : [fc.record({ kind: fc.constant("whole" as const), value: hostileValue })])) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: wellFormed },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...NOT_JSON), fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== "" && !isJson(s))).map((text): BodySpec => ({ kind: "notJson", text })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("contentType" as const), contentType: fc.constantFrom(...CONTENT_TYPES), body: wellFormed }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("oversize" as const), extraBytes: fc.integer({ min: 1, max: 4096 }), declared: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "\n\t ").map((text): BodySpec => ({ kind: "empty", text })) },
  );
}

/** The body as bytes to send; `limit` sizes oversize bodies (just over it). */
export function renderBody(spec: BodySpec, sample: unknown, limit: number): RenderedBody {
  const json = (text: string): RenderedBody => ({ text, contentType: "application/json", declared: true });
  switch (spec.kind) {
    case "whole":
      return json(renderValue(spec.value));
    case "replace":
      return json(renderWith(sample, spec.path, (key) => `${key}${renderValue(spec.value)}`));
    case "delete":
      return json(renderWith(sample, spec.path, () => null));
    case "extraKey":
      return json(renderWithMember(sample, spec.at, `${JSON.stringify(spec.key)}:${renderValue(spec.value)}`));
    case "duplicateKey": {
      const original = JSON.stringify(valueAt(sample, spec.path));
      const hostile = renderValue(spec.value);
      const [first, last] = spec.hostileLast ? [original, hostile] : [hostile, original];
      return json(renderWith(sample, spec.path, (key) => `${key}${first},${key}${last}`));
    }
    case "asArray":
      return json(`[${JSON.stringify(sample)}]`);
    case "notJson":
      return json(spec.text);
    case "contentType":
      return { ...renderBody(spec.body, sample, limit), contentType: spec.contentType };
    case "oversize": {
      // Valid JSON of exactly limit + extraBytes bytes: only its size is wrong.
      const filler = limit + spec.extraBytes - '{"padding":""}'.length;
      return { text: `{"padding":"${"x".repeat(filler)}"}`, contentType: "application/json", declared: spec.declared };
    }
    case "empty":
      return json(spec.text);
  }
}

export function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, step) => (v as Record<string | number, unknown>)[step], value);
}

/** A short label for logs: what kind of input, without its bytes. */
export function describeBody(spec: BodySpec): string {
  switch (spec.kind) {
    case "replace":
      return `replace ${spec.path.join(".")} with ${describeValue(spec.value)}`;
    case "duplicateKey":
      return `duplicate ${spec.path.join(".")}, ${spec.hostileLast ? "last" : "first"} ${describeValue(spec.value)}`;
    case "delete":
      return `delete ${spec.path.join(".")}`;
    case "extraKey":
      return `extra key ${JSON.stringify(spec.key.slice(0, 20))} at ${spec.at.join(".") || "(root)"}`;
    case "whole":
      return `whole body ${describeValue(spec.value)}`;
    case "contentType":
      return `contentType ${String(spec.contentType)} / ${describeBody(spec.body)}`;
    default:
      return spec.kind;
  }
}

function describeValue(value: HostileValue): string {
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
