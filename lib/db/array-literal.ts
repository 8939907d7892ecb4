// PostgreSQL array literals ('{"a","b",NULL}', '{1,2.5,NULL}') built directly, for statements that
// send a column of values per parameter (unnest). The drivers' generic array encoding inspects
// and converts every element; on the ingest path that was a tenth of the server's CPU. Both `pg`
// and PGlite pass a string parameter through unchanged, and Postgres parses it as the declared
// array type.

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** Text elements, every one quoted, so no value reads as NULL or splits at a comma or brace. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ",";
    if (value === null) out += "NULL";
    else out += NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, "\\$&")}"` : `"${value}"`;
  }
  return `${out}}`;
}

/** Number or boolean elements. Numbers must be finite: the schemas refuse anything else first. */
export function scalarArrayLiteral(values: readonly (number | boolean | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ",";
    out += value === null ? "NULL" : String(value);
  }
  return `${out}}`;
}
