-- Late scores (POST /api/scores) and feedback sent without `config` look a request id up in every
-- config the key may use. Keyed (config, request id), that was one index probe per config — a
-- batch of 1,000 events across 5,000 configs, five million; keyed (request id, config), it is one
-- probe per event, and a lookup naming the config uses the same index. The key is rebuilt once
-- (writers wait for it: an upgrade stops every instance first, README "Retention and samples").
ALTER TABLE "outcome_keys" DROP CONSTRAINT "outcome_keys_pkey",
ADD CONSTRAINT "outcome_keys_pkey" PRIMARY KEY ("request_id", "config_id");
