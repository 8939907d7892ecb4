import fc from "fast-check";
import { describeValue, hostileValue, PROTOTYPE_KEYS, renderValue, type HostileValue } from "./hostile-values";

// Hostile request bodies for property tests (tests/integration/fuzz-*.test.ts): the endpoint's
// valid sample with one field made hostile (hostile-values.ts), removed, duplicated or joined by
// an extra key, or no such shape at all — not JSON, the wrong Content-Type, too large, empty.
// Like the values, a body is a printable description, rendered to bytes only when it is sent.

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

/** A rendered body as fetch and Request take it: the bytes, or (not `declared`) the same bytes streamed in 64 KB chunks, with no length. */
export function requestPayload(body: RenderedBody): { payload: BodyInit; length: number | null } {
  const bytes = new TextEncoder().encode(body.text);
  if (body.declared) return { payload: bytes, length: bytes.byteLength };
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.byteLength; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536));
      controller.close();
    },
  });
  return { payload: stream, length: null };
}
