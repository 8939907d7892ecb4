-- API keys: who made them, and the configs a client key may use. Audit events: no secrets.
-- The whole script runs as one transaction (lib/db/schema-engine.ts sends it in one round trip).

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "config_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "created_by_label" TEXT;

-- A key made with another key rests on that key's user (followed up the chain), as new ones do.
WITH RECURSIVE "made_with" AS (
  SELECT "entity_id" AS "key_id", "actor_id" AS "parent_id" FROM "audit_events"
  WHERE "action" = 'api_key.create' AND "actor_type" = 'api_key' AND "actor_id" IS NOT NULL
), "chain" AS (
  SELECT "key_id", "parent_id", 1 AS "depth" FROM "made_with"
  UNION ALL
  SELECT c."key_id", m."parent_id", c."depth" + 1 FROM "chain" c JOIN "made_with" m ON m."key_id" = c."parent_id"
  WHERE c."depth" < 100
), "owner" AS (
  SELECT DISTINCT ON (c."key_id") c."key_id", p."created_by_id"
  FROM "chain" c JOIN "api_keys" p ON p."id" = c."parent_id"
  WHERE p."created_by_id" IS NOT NULL
  ORDER BY c."key_id", c."depth"
)
UPDATE "api_keys" k SET "created_by_id" = o."created_by_id"
FROM "owner" o WHERE k."id" = o."key_id" AND k."created_by_id" IS NULL;

-- Who made each key, as its api_key.create event named them.
UPDATE "api_keys" k SET "created_by_label" = coalesce(
  (SELECT a."actor_label" FROM "audit_events" a WHERE a."action" = 'api_key.create' AND a."entity_id" = k."id" ORDER BY a."id" LIMIT 1),
  (SELECT u."email" FROM "users" u WHERE u."id" = k."created_by_id"),
  'unknown');
ALTER TABLE "api_keys" ALTER COLUMN "created_by_label" SET NOT NULL;

-- Keys whose user already lost the right to make keys (no longer an enabled admin) stop working
-- now, as they would have at the demotion, each with its audit event.
WITH "revoked" AS (
  UPDATE "api_keys" k SET "revoked_at" = CURRENT_TIMESTAMP
  FROM "users" u
  WHERE u."id" = k."created_by_id" AND k."revoked_at" IS NULL AND (u."role" <> 'admin' OR u."disabled_at" IS NOT NULL)
  RETURNING k.*, u."email", u."role" AS "user_role", u."disabled_at" AS "user_disabled_at"
), "dto" AS (
  SELECT r.*, jsonb_build_object(
    'id', r."id", 'name', r."name", 'selector', r."selector", 'scopes', to_jsonb(r."scopes"::text[]),
    'configs', CASE WHEN cardinality(r."config_keys") = 0 THEN 'null'::jsonb ELSE to_jsonb(r."config_keys") END,
    'createdBy', jsonb_build_object('userId', r."created_by_id", 'label', r."created_by_label"),
    'createdAt', to_char(r."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'lastUsedAt', to_char(r."last_used_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  ) AS "body" FROM "revoked" r
)
INSERT INTO "audit_events" ("actor_type", "actor_id", "actor_label", "action", "entity_type", "entity_id", "before", "after", "reason")
SELECT 'system', NULL, 'migration', 'api_key.revoke', 'api_key', d."id",
  d."body" || jsonb_build_object('revokedAt', NULL),
  d."body" || jsonb_build_object('revokedAt', to_char(d."revoked_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  'Its creator ' || d."email" || CASE WHEN d."user_disabled_at" IS NOT NULL THEN ' is disabled'
    ELSE ' is now ' || CASE WHEN d."user_role"::text ~ '^[aeiou]' THEN 'an ' ELSE 'a ' END || d."user_role"::text END
    || ' and may no longer make API keys.'
FROM "dto" d;

-- Audit events written before this migration hold whole webhook URLs, whose path or query is
-- the credential for Slack and DingTalk. Keep the scheme and host, mask the rest, as
-- lib/audit/redact.ts does for new events. The table refuses UPDATE by trigger; the trigger is
-- off for this one statement only, inside this migration's transaction (ALTER TABLE holds an
-- exclusive lock on the table until the commit, so no other write can slip through), and the
-- masking is itself recorded as an audit event.
ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_append_only";
WITH "masked" AS (
  UPDATE "audit_events" SET
    "before" = CASE WHEN jsonb_typeof("before" -> 'url') = 'string' THEN jsonb_set("before", '{url}', to_jsonb(
      CASE WHEN "before" ->> 'url' ~ '^[A-Za-z][A-Za-z0-9+.-]*://'
        THEN regexp_replace("before" ->> 'url', '^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*@)?([^/?#]*).*$', '\1\3/***')
        ELSE '***' END)) ELSE "before" END,
    "after" = CASE WHEN jsonb_typeof("after" -> 'url') = 'string' THEN jsonb_set("after", '{url}', to_jsonb(
      CASE WHEN "after" ->> 'url' ~ '^[A-Za-z][A-Za-z0-9+.-]*://'
        THEN regexp_replace("after" ->> 'url', '^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*@)?([^/?#]*).*$', '\1\3/***')
        ELSE '***' END)) ELSE "after" END
  WHERE (jsonb_typeof("before" -> 'url') = 'string' AND "before" ->> 'url' !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/\*\*\*$')
     OR (jsonb_typeof("after" -> 'url') = 'string' AND "after" ->> 'url' !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/\*\*\*$')
  RETURNING "id"
)
INSERT INTO "audit_events" ("actor_type", "actor_id", "actor_label", "action", "entity_type", "entity_id", "reason")
SELECT 'system', NULL, 'migration', 'audit.mask_secrets', 'audit', 'audit_events',
  'Masked the webhook URLs (path and query) of ' || count(*) || ' earlier audit event(s): ids ' || min("id") || ' to ' || max("id") || '.'
FROM "masked" HAVING count(*) > 0;
ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_append_only";
