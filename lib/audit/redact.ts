// Audit events never hold secrets. Anyone who may read the log sees their before/after, so what a
// service hands to appendAuditEvent is masked here, the one place events are written, by field
// name at any depth:
//   - a URL (`url`, `…Url`): only the scheme and host stay; a Slack or DingTalk webhook's path or
//     query is its credential (`https://hooks.slack.com/***`);
//   - a secret: a name with the word secret, password, token, credential(s) or hash, or api key, in
//     camelCase or snake_case (`secret`, `signingSecret`, `access_token`, `apiKey`): `***`
//     (`tokenizer` and `maxTokens` are other words).
// Only string values are masked: `hasSecret: true` stays. The migration that masked earlier
// events applies the same URL rule in SQL (prisma/migrations/*_audit_masking).

export const MASK = "***";

const URL_FIELD = /(^url$|Url$|URL$)/;
const SECRET_WORDS = new Set(["secret", "password", "passwd", "token", "credential", "credentials", "hash"]);

/** `signingSecret` → signing, secret; `access_token` → access, token; `apiKey` → api, key. */
function words(field: string): string[] {
  return field
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function isSecretField(field: string): boolean {
  const w = words(field);
  return w.some((word) => SECRET_WORDS.has(word)) || w.join(" ").includes("api key") || w.includes("apikey");
}

/** `https://hooks.slack.com/services/T/B/X` → `https://hooks.slack.com/***`; not a URL → `***`. */
export function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    return url.host ? `${url.protocol}//${url.host}/${MASK}` : MASK;
  } catch {
    return MASK;
  }
}

/** A copy of a JSON-like value with secrets masked; the input is not changed. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) {
    if (typeof inner === "string" && URL_FIELD.test(field)) out[field] = maskUrl(inner);
    else if (typeof inner === "string" && isSecretField(field)) out[field] = MASK;
    else out[field] = redactSecrets(inner);
  }
  return out;
}
