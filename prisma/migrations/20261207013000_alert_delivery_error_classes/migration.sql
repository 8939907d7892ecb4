-- Deliveries written before the outbound policy kept free text in last_error, including the first
-- characters of what the receiver answered. Keep only the fixed class each text stands for (the
-- rules the API used to apply when reading them), so no stored row holds a receiver's words.
UPDATE "alert_deliveries"
SET "last_error" = CASE
    WHEN "last_error" LIKE 'HTTP %' THEN 'http_status'
    WHEN "last_error" LIKE 'answered %' THEN 'rejected'
    WHEN "last_error" ~* '(timeout|aborted)' THEN 'timeout'
    ELSE 'connection_failed'
  END
WHERE "last_error" IS NOT NULL
  AND "last_error" NOT IN ('refused_by_policy', 'timeout', 'connection_failed', 'http_status', 'rejected', 'muted');
