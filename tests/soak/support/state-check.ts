import pg from "pg";

// Release state after a run: each config row must agree with its active rollout (the row holds
// stable, canary, percent and the active rollout together, so routing reads one row), at most
// one rollout per config may be active, and the tally of what happened to the rollouts and who
// did it (audit events).

export interface StateCheck {
  problems: string[];
  rolloutsByStatus: Record<string, number>;
  /** audit action → actor label → count */
  actions: Record<string, Record<string, number>>;
}

export async function checkReleaseState(databaseUrl: string): Promise<StateCheck> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const problems: string[] = [];
    const doubles = await db.query(
      `SELECT c.key, count(*)::int AS n FROM rollouts r JOIN configs c ON c.id = r.config_id
       WHERE r.status IN ('running', 'paused') GROUP BY c.key HAVING count(*) > 1`,
    );
    for (const row of doubles.rows) problems.push(`${row.key}: ${row.n} active rollouts at once`);
    const configs = await db.query(
      `SELECT c.key, c.active_rollout_id, c.canary_version_id, c.canary_percent, c.stable_version_id,
              r.id AS rollout_id, r.status, r.canary_version_id AS r_canary, r.base_version_id AS r_base, r.stages, r.current_stage
       FROM configs c LEFT JOIN rollouts r ON r.config_id = c.id AND r.status IN ('running', 'paused')`,
    );
    for (const c of configs.rows) {
      if (c.rollout_id === null) {
        if (c.active_rollout_id !== null || c.canary_version_id !== null || c.canary_percent !== 0) {
          problems.push(`${c.key}: no active rollout, but the config row says rollout ${c.active_rollout_id}, canary ${c.canary_version_id} at ${c.canary_percent} %`);
        }
        continue;
      }
      const percent = c.stages[c.current_stage]?.percent;
      if (c.active_rollout_id !== c.rollout_id) problems.push(`${c.key}: active rollout ${c.rollout_id}, but the config row names ${c.active_rollout_id}`);
      if (c.canary_version_id !== c.r_canary) problems.push(`${c.key}: canary ${c.r_canary} in the rollout, ${c.canary_version_id} in the config row`);
      if (c.canary_percent !== percent) problems.push(`${c.key}: the rollout's stage serves ${percent} %, the config row ${c.canary_percent} %`);
      if (c.stable_version_id !== c.r_base) problems.push(`${c.key}: the rollout's base is ${c.r_base}, the config's stable ${c.stable_version_id}`);
    }
    const rolloutsByStatus: Record<string, number> = {};
    for (const row of (await db.query(`SELECT status::text, count(*)::int AS n FROM rollouts GROUP BY 1 ORDER BY 1`)).rows) rolloutsByStatus[row.status] = row.n;
    const actions: Record<string, Record<string, number>> = {};
    const audit = await db.query(`SELECT action, actor_label, count(*)::int AS n FROM audit_events WHERE action LIKE 'rollout.%' GROUP BY 1, 2 ORDER BY 1, 2`);
    for (const row of audit.rows) (actions[row.action] ??= {})[row.actor_label] = row.n;
    return { problems, rolloutsByStatus, actions };
  } finally {
    await db.end();
  }
}
