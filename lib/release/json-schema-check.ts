// A structural check of a JSON Schema (draft 2020-12, the dialect of OpenAI function parameters and
// structured outputs), for tool parameters and response formats: every keyword this file knows has
// the right kind of value, subschemas are schemas, `required` names properties that exist, local
// `$ref`s resolve. It does not validate instances. Unknown keywords are allowed (the dialect allows
// annotations). Pure; the keywords are data in KEYWORDS, not branches.

type SchemaPath = (string | number)[];
interface SchemaIssue {
  /** Relative to the schema's root, e.g. ["properties", "email", "type"]. */
  path: SchemaPath;
  message: string;
}

const JSON_SCHEMA_TYPES = ["object", "array", "string", "number", "integer", "boolean", "null"] as const;
/** Problems collected per schema before stopping: the first ones are what an author fixes. */
const MAX_ISSUES = 10;

type Check = (value: unknown, path: SchemaPath, walk: Walker) => void;

interface Walker {
  issue(path: SchemaPath, message: string): void;
  schema(value: unknown, path: SchemaPath): void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNonNegativeInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

const string: Check = (v, path, walk) => {
  if (typeof v !== "string") walk.issue(path, "must be a string");
};
const number: Check = (v, path, walk) => {
  if (typeof v !== "number") walk.issue(path, "must be a number");
};
const positiveNumber: Check = (v, path, walk) => {
  if (typeof v !== "number" || !(v > 0)) walk.issue(path, "must be a number greater than 0");
};
const count: Check = (v, path, walk) => {
  if (!isNonNegativeInt(v)) walk.issue(path, "must be a whole number, 0 or more");
};
const boolean: Check = (v, path, walk) => {
  if (typeof v !== "boolean") walk.issue(path, "must be true or false");
};
const anything: Check = () => undefined;

const subschema: Check = (v, path, walk) => walk.schema(v, path);

const schemaMap: Check = (v, path, walk) => {
  if (!isObject(v)) return walk.issue(path, "must be an object whose values are schemas");
  for (const [key, child] of Object.entries(v)) walk.schema(child, [...path, key]);
};

const schemaList =
  (nonEmpty: boolean): Check =>
  (v, path, walk) => {
    if (!Array.isArray(v) || (nonEmpty && v.length === 0)) return walk.issue(path, `must be a${nonEmpty ? " non-empty" : "n"} array of schemas`);
    v.forEach((child, i) => walk.schema(child, [...path, i]));
  };

const uniqueStrings: Check = (v, path, walk) => {
  if (!Array.isArray(v)) return walk.issue(path, "must be an array of property names");
  const seen = new Set<string>();
  v.forEach((name, i) => {
    if (typeof name !== "string") walk.issue([...path, i], "must be a string");
    else if (seen.has(name)) walk.issue([...path, i], `repeats \`${name}\``);
    else seen.add(name);
  });
};

const type: Check = (v, path, walk) => {
  const known = (t: unknown) => typeof t === "string" && (JSON_SCHEMA_TYPES as readonly string[]).includes(t);
  const message = `must be one of ${JSON_SCHEMA_TYPES.join(", ")} (or a non-empty array of them)`;
  if (Array.isArray(v)) {
    if (v.length === 0 || !v.every(known) || new Set(v).size !== v.length) walk.issue(path, message);
  } else if (!known(v)) {
    walk.issue(path, message);
  }
};

const pattern: Check = (v, path, walk) => {
  if (typeof v !== "string") return walk.issue(path, "must be a regular expression as a string");
  try {
    new RegExp(v, "u");
  } catch {
    walk.issue(path, "must be a valid regular expression");
  }
};

const patternMap: Check = (v, path, walk) => {
  schemaMap(v, path, walk);
  if (isObject(v)) for (const key of Object.keys(v)) pattern(key, [...path, key], walk);
};

const items: Check = (v, path, walk) => {
  if (Array.isArray(v)) return walk.issue(path, "must be one schema (draft 2020-12); list a tuple's schemas in `prefixItems`");
  walk.schema(v, path);
};

const nonEmptyArray: Check = (v, path, walk) => {
  if (!Array.isArray(v) || v.length === 0) walk.issue(path, "must be a non-empty array");
};

const array: Check = (v, path, walk) => {
  if (!Array.isArray(v)) walk.issue(path, "must be an array");
};

const dependentRequired: Check = (v, path, walk) => {
  if (!isObject(v)) return walk.issue(path, "must be an object of property-name arrays");
  for (const [key, names] of Object.entries(v)) uniqueStrings(names, [...path, key], walk);
};

const ref: Check = (v, path, walk) => {
  if (typeof v !== "string") return walk.issue(path, "must be a string");
  if (!v.startsWith("#")) walk.issue(path, "must point inside this schema (`#/$defs/…`); external schemas are not fetched");
};

/** What each keyword's value must be. A keyword missing here is an annotation and may hold anything. */
const KEYWORD_CHECKS: Record<string, Check> = {
  type,
  properties: schemaMap,
  patternProperties: patternMap,
  $defs: schemaMap,
  definitions: schemaMap,
  dependentSchemas: schemaMap,
  additionalProperties: subschema,
  unevaluatedProperties: subschema,
  propertyNames: subschema,
  items,
  prefixItems: schemaList(false),
  contains: subschema,
  unevaluatedItems: subschema,
  not: subschema,
  if: subschema,
  then: subschema,
  else: subschema,
  allOf: schemaList(true),
  anyOf: schemaList(true),
  oneOf: schemaList(true),
  required: uniqueStrings,
  dependentRequired,
  enum: nonEmptyArray,
  const: anything,
  default: anything,
  examples: array,
  title: string,
  description: string,
  $comment: string,
  format: string,
  $id: string,
  $anchor: string,
  $schema: string,
  $ref: ref,
  pattern,
  minimum: number,
  maximum: number,
  exclusiveMinimum: number,
  exclusiveMaximum: number,
  multipleOf: positiveNumber,
  minLength: count,
  maxLength: count,
  minItems: count,
  maxItems: count,
  minProperties: count,
  maxProperties: count,
  minContains: count,
  maxContains: count,
  uniqueItems: boolean,
  readOnly: boolean,
  writeOnly: boolean,
  deprecated: boolean,
};
// A Map, so a schema's own key named `__proto__` or `constructor` finds no check on Object.prototype.
const KEYWORDS = new Map(Object.entries(KEYWORD_CHECKS));

/** The value a local `$ref` (`#`, `#/$defs/x`, `#/properties/a~1b`) points at, or undefined. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/**
 * The problems of `value` as a JSON Schema, at most MAX_ISSUES. `rootObject`: the root must
 * describe a JSON object (`type: "object"`), as tool parameters and response schemas must.
 * Callers bound the value's size and depth first (the walk recurses once per nesting level).
 */
export function checkJsonSchema(value: unknown, options: { rootObject: boolean }): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const refs: { ref: string; path: SchemaPath }[] = [];
  const walk: Walker = {
    issue(path, message) {
      if (issues.length < MAX_ISSUES) issues.push({ path, message });
    },
    schema(node, path) {
      if (typeof node === "boolean") return;
      if (!isObject(node)) return walk.issue(path, "must be a schema (an object, or true or false)");
      for (const [keyword, child] of Object.entries(node)) {
        const check = KEYWORDS.get(keyword);
        if (check) check(child, [...path, keyword], walk);
      }
      if (typeof node.$ref === "string" && node.$ref.startsWith("#")) refs.push({ ref: node.$ref, path: [...path, "$ref"] });
      const properties = node.properties;
      if (Array.isArray(node.required) && isObject(properties)) {
        node.required.forEach((name, i) => {
          if (typeof name === "string" && !Object.hasOwn(properties, name)) {
            walk.issue([...path, "required", i], `names \`${name}\`, which \`properties\` does not define`);
          }
        });
      }
    },
  };
  if (options.rootObject && !(isObject(value) && value.type === "object")) {
    return [{ path: [], message: 'must be a JSON Schema object with `"type": "object"`' }];
  }
  walk.schema(value, []);
  for (const { ref, path } of refs) {
    if (resolvePointer(value, ref) === undefined) walk.issue(path, `points at \`${ref}\`, which is not in this schema`);
  }
  return issues;
}
