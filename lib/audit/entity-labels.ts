import type { DbOrTx } from "../db/types";

// What the audit log calls the thing an event is about, instead of its raw id: a config's key, a
// version's label, a rollout's config key and canary version, an API key's or alert channel's
// name, a user's name and e-mail, a score's key, a price's model. One entry per entity type; each loads the labels
// of every event of that type on the page in one query, so a page costs one query per type on it,
// never one per event. A type without an entry, or a row that is gone, has no label (null) unless
// the event's own snapshot names it.
//
// Labels name only the entity itself: whoever may read an event already sees its id and snapshots.

type Loader = (db: DbOrTx, ids: string[]) => Promise<[id: string, label: string][]>;

interface EntityLabeler {
  load: Loader;
  /** The name kept in an event's snapshot, for a row that no longer exists (a deleted score). */
  fromSnapshot?: (snapshot: Record<string, unknown>) => unknown;
}

/** `support-chat canary v2`: the config it ships to and the version it ships. */
function rolloutLabel(configKey: string, canaryLabel: string): string {
  return `${configKey} canary ${canaryLabel}`;
}

/** `Ana Lima (ana@example.com)`, or the e-mail alone when the user has no name. */
function userLabel(user: { email: string; name: string | null }): string {
  return user.name ? `${user.name} (${user.email})` : user.email;
}

const byId = (ids: string[]) => ({ id: { in: ids } });

const loadConfigs: Loader = async (db, ids) =>
  (await db.config.findMany({ where: byId(ids), select: { id: true, key: true } })).map((r) => [r.id, r.key]);

const loadVersions: Loader = async (db, ids) =>
  (await db.version.findMany({ where: byId(ids), select: { id: true, label: true } })).map((r) => [r.id, r.label]);

const loadRollouts: Loader = async (db, ids) => {
  const rows = await db.rollout.findMany({
    where: byId(ids),
    select: { id: true, config: { select: { key: true } }, canaryVersion: { select: { label: true } } },
  });
  return rows.map((r) => [r.id, rolloutLabel(r.config.key, r.canaryVersion.label)]);
};

const loadScores: Loader = async (db, ids) =>
  (await db.scoreDefinition.findMany({ where: byId(ids), select: { id: true, key: true } })).map((r) => [r.id, r.key]);

const loadEvaluators: Loader = async (db, ids) =>
  (await db.evaluator.findMany({ where: byId(ids), select: { id: true, name: true } })).map((r) => [r.id, r.name]);

const loadApiKeys: Loader = async (db, ids) =>
  (await db.apiKey.findMany({ where: byId(ids), select: { id: true, name: true } })).map((r) => [r.id, r.name]);

const loadUsers: Loader = async (db, ids) =>
  (await db.user.findMany({ where: byId(ids), select: { id: true, email: true, name: true } })).map((r) => [r.id, userLabel(r)]);

const loadChannels: Loader = async (db, ids) =>
  (await db.alertChannel.findMany({ where: byId(ids), select: { id: true, name: true } })).map((r) => [r.id, r.name]);

const loadProviders: Loader = async (db, ids) =>
  (await db.providerConnection.findMany({ where: byId(ids), select: { id: true, name: true } })).map((r) => [r.id, r.name]);

// A Map, not an object: a type read from the database is never looked up on Object.prototype.
const LABELERS = new Map<string, EntityLabeler>([
  ["config", { load: loadConfigs }],
  ["version", { load: loadVersions }],
  ["rollout", { load: loadRollouts }],
  ["score", { load: loadScores, fromSnapshot: (snapshot) => snapshot.key }],
  // A deleted evaluator keeps its name in its events' snapshots.
  ["evaluator", { load: loadEvaluators, fromSnapshot: (snapshot) => snapshot.name }],
  ["api_key", { load: loadApiKeys }],
  ["user", { load: loadUsers }],
  ["alert_channel", { load: loadChannels }],
  // A price's id is its model's name: the label, whether or not the price still exists.
  ["model_price", { load: async (_db, ids) => ids.map((id) => [id, id]) }],
  // A deleted connection keeps its name in its events' snapshots.
  ["provider", { load: loadProviders, fromSnapshot: (snapshot) => snapshot.name }],
]);

interface LabelledEvent {
  entityType: string;
  entityId: string;
  configId: string | null;
  before: unknown;
  after: unknown;
}

interface EventLabels {
  entityLabel: string | null;
  configKey: string | null;
}

/** The entity label and config key of each event, in the order given. */
export async function labelEvents(db: DbOrTx, events: readonly LabelledEvent[]): Promise<EventLabels[]> {
  const idsByType = new Map<string, Set<string>>();
  const want = (type: string, id: string) => idsByType.set(type, (idsByType.get(type) ?? new Set()).add(id));
  for (const event of events) {
    if (LABELERS.has(event.entityType)) want(event.entityType, event.entityId);
    // The config column shows the config's key: loaded with the config entities, in the same query.
    if (event.configId) want("config", event.configId);
  }
  const loaded = await Promise.all(
    [...idsByType].map(async ([type, ids]) => [type, new Map(await LABELERS.get(type)!.load(db, [...ids]))] as const),
  );
  const labels = new Map(loaded);
  return events.map((event) => ({
    entityLabel: labels.get(event.entityType)?.get(event.entityId) ?? snapshotLabel(event),
    configKey: event.configId ? (labels.get("config")?.get(event.configId) ?? null) : null,
  }));
}

function snapshotLabel(event: LabelledEvent): string | null {
  const fromSnapshot = LABELERS.get(event.entityType)?.fromSnapshot;
  if (!fromSnapshot) return null;
  for (const snapshot of [event.after, event.before]) {
    if (snapshot !== null && typeof snapshot === "object" && !Array.isArray(snapshot)) {
      const name = fromSnapshot(snapshot as Record<string, unknown>);
      if (typeof name === "string" && name) return name;
    }
  }
  return null;
}
