import { alertJudgeWarning } from "../alerts/rollout-alerts";
import type { RolloutReportDto } from "../analysis/report-schemas";
import { appendAuditEvent, hasAuditEvent } from "../audit/repo";
import type { Db } from "../db/types";
import { findConfigKeyById } from "../release/repo";
import { CONTROLLER } from "./actor";

// Judge warnings: once per rollout and guardrail, an audit event (so people see it in the log)
// and a `judge_warning` alert, when a guardrail's evidence is already 20:1 for "worse".

export async function raiseWarnings(db: Db, report: RolloutReportDto): Promise<string[]> {
  const raised: string[] = [];
  for (const verdict of report.verdicts.filter((v) => v.warning)) {
    const reasonPrefix = `${verdict.key}: `;
    if (await hasAuditEvent(db, { entityId: report.rolloutId, action: "rollout.judge_warning", reasonPrefix })) continue;
    await appendAuditEvent(db, {
      actor: CONTROLLER,
      action: "rollout.judge_warning",
      entityType: "rollout",
      entityId: report.rolloutId,
      configId: report.configId,
      reason: `${reasonPrefix}${verdict.sentence}`,
    });
    const key = (await findConfigKeyById(db, report.configId))?.key ?? report.configId;
    await alertJudgeWarning(db, report, key, verdict.label, verdict.sentence);
    raised.push(verdict.key);
  }
  return raised;
}
