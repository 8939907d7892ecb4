// The tables partitioned by time (migration partitioned_outcomes), as data: what each is
// partitioned by, how wide a partition is, and which retention setting drops it. Outcomes and their
// score rows share the days of the outcome's `at`, so a day's scores leave with the day's outcomes.

export type Span = "day" | "month";
/** Which retention setting (lib/db/retention.ts) a table's partitions are dropped by. */
export type Kept = "outcomes" | "minutes" | "hours";

export interface PartitionSpec {
  table: string;
  /** The partition key: a timestamptz column. */
  column: string;
  span: Span;
  kept: Kept;
}

export const PARTITIONED: readonly PartitionSpec[] = [
  { table: "outcomes", column: "at", span: "day", kept: "outcomes" },
  { table: "outcome_scores", column: "at", span: "day", kept: "outcomes" },
  { table: "metric_rollups", column: "minute", span: "day", kept: "minutes" },
  { table: "score_rollups", column: "minute", span: "day", kept: "minutes" },
  { table: "metric_rollups_hourly", column: "hour", span: "month", kept: "hours" },
  { table: "score_rollups_hourly", column: "hour", span: "month", kept: "hours" },
];
