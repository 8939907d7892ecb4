-- Versions hold whole LLM configurations (lib/release/llm-settings.ts): chat messages with
-- {{variables}}, tools, tool choice, response format, stop sequences, seed, a provider label and
-- the variables the messages use. One column per field, named as the field.
ALTER TABLE "versions"
  ADD COLUMN "provider" TEXT,
  ADD COLUMN "messages" JSONB,
  ADD COLUMN "stop" JSONB NOT NULL DEFAULT '[]',
  ADD COLUMN "seed" INTEGER,
  ADD COLUMN "tools" JSONB NOT NULL DEFAULT '[]',
  ADD COLUMN "tool_choice" JSONB,
  ADD COLUMN "response_format" JSONB,
  ADD COLUMN "variables" JSONB NOT NULL DEFAULT '[]';

-- Every existing version's system prompt becomes its one system message, so /api/route keeps
-- answering the same `llm.systemPrompt` (the first system message). Versions refuse UPDATE by
-- trigger; this one rewrite of the table's shape is the exception, and the trigger is back on
-- before the migration commits.
ALTER TABLE "versions" DISABLE TRIGGER "versions_immutable";
UPDATE "versions" SET "messages" = jsonb_build_array(jsonb_build_object('role', 'system', 'content', "system_prompt"));
ALTER TABLE "versions" ENABLE TRIGGER "versions_immutable";

-- Expand, then contract: instances of the previous release may still run during a rolling upgrade.
-- They read system_prompt (this release keeps writing it: the first system message) and insert
-- versions without messages, which become that one system message here, as above.
CREATE FUNCTION "versions_messages_from_system_prompt"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."messages" IS NULL THEN
    NEW."messages" := jsonb_build_array(jsonb_build_object('role', 'system', 'content', NEW."system_prompt"));
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "versions_messages_from_system_prompt" BEFORE INSERT ON "versions"
  FOR EACH ROW EXECUTE FUNCTION "versions_messages_from_system_prompt"();

ALTER TABLE "versions" ALTER COLUMN "messages" SET NOT NULL;
