import type { Db } from "../db/types";
import { parseInput } from "../validation";
import { RoutePreviewDto, RoutePreviewQuery } from "./config-schemas";
import { getConfig } from "./config-service";
import { canaryThreshold, route, routingRolloutOf } from "./router";

/**
 * Which version a user gets right now, and why: the answer /api/route gives, for an operator
 * asking "why does this user see the canary?". Non-sticky rollouts draw at random per request.
 */
export async function previewRoute(db: Db, key: string, query: Record<string, string>): Promise<RoutePreviewDto> {
  const { userId } = parseInput(RoutePreviewQuery, query, "query");
  const { stableVersion, activeRollout } = await getConfig(db, key);
  const routing = routingRolloutOf(activeRollout);
  const decision = route(userId, routing);
  const version = decision.variant === "canary" ? activeRollout!.canaryVersion : stableVersion;
  return RoutePreviewDto.parse({
    userId,
    variant: decision.variant,
    reason: decision.reason,
    bucket: decision.bucket,
    threshold: routing && decision.bucket !== null ? canaryThreshold(routing.percent) : null,
    version: version ? { id: version.id, label: version.label } : null,
    rolloutId: activeRollout?.id ?? null,
  });
}
