-- Reports kept before the metric registry (issue 17) named each built-in metric in its own field
-- (`errorRate`, `latencyMs`, `rating`, `costPerRequest`, verdicts by `guardrail`). Rewrite them in
-- today's shape — per-variant `metrics` by key, verdicts by `key` with a `label`, the report's
-- `metrics` list — so every kept report reads the same way. The cost count was not kept: null.

CREATE FUNCTION pg_temp.summary_by_key(s jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'requests', s->'requests',
    'metrics', jsonb_build_object(
      'error_rate', jsonb_build_object('value', s->'errorRate', 'count', s->'requests'),
      'latency', jsonb_build_object('value', coalesce(s->'latencyMs'->'p95', 'null'::jsonb), 'count', s->'requests', 'quantiles', s->'latencyMs'),
      'rating', jsonb_build_object('value', s->'rating'->'mean', 'count', s->'rating'->'count', 'distribution', s->'rating'->'distribution'),
      'cost', jsonb_build_object('value', s->'costPerRequest', 'count', 'null'::jsonb)))
$$;

CREATE FUNCTION pg_temp.verdict_by_key(v jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT (v - 'guardrail') || jsonb_build_object('key', v->'guardrail', 'label', CASE v->>'guardrail'
    WHEN 'error_rate' THEN 'Error rate' WHEN 'latency' THEN 'p95 latency' WHEN 'rating' THEN 'Mean rating' WHEN 'cost' THEN 'Cost per request' ELSE v->>'guardrail' END)
$$;

UPDATE "rollout_reports" SET "report" = ("report" - 'verdicts' - 'stable' - 'canary' - 'stages') || jsonb_build_object(
  'metrics', '[
    {"key": "error_rate", "label": "Error rate", "badge": "Errors", "description": "Share of requests that failed.", "kind": "proportion", "direction": "lower_is_better", "unit": "percent", "samples": "requests", "guardrail": true, "source": "built_in"},
    {"key": "latency", "label": "p95 latency", "badge": "Latency", "description": "The 95th percentile of request latency.", "kind": "latency_quantile", "direction": "lower_is_better", "unit": "ms", "samples": "requests", "guardrail": true, "source": "built_in"},
    {"key": "rating", "label": "Mean rating", "badge": "Rating", "description": "Mean of the users'' 1-5 ratings.", "kind": "bounded_mean", "direction": "higher_is_better", "unit": "stars", "samples": "ratings", "guardrail": true, "source": "built_in"},
    {"key": "cost", "label": "Cost per request", "badge": "Cost", "description": "Mean cost of a request in US dollars.", "kind": "cost_mean", "direction": "lower_is_better", "unit": "usd", "samples": "costed requests", "guardrail": true, "source": "built_in"}
  ]'::jsonb,
  'stable', pg_temp.summary_by_key("report"->'stable'),
  'canary', pg_temp.summary_by_key("report"->'canary'),
  'verdicts', (SELECT coalesce(jsonb_agg(pg_temp.verdict_by_key(v) ORDER BY i), '[]'::jsonb) FROM jsonb_array_elements("report"->'verdicts') WITH ORDINALITY AS x(v, i)),
  'stages', (SELECT coalesce(jsonb_agg((st - 'stable' - 'canary') || jsonb_build_object('stable', pg_temp.summary_by_key(st->'stable'), 'canary', pg_temp.summary_by_key(st->'canary')) ORDER BY i), '[]'::jsonb)
             FROM jsonb_array_elements("report"->'stages') WITH ORDINALITY AS y(st, i)))
WHERE "report" ? 'verdicts' AND NOT "report" ? 'metrics';
