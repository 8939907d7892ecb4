import type { Db } from "../db/types";
import { findRolloutSpans, findRolloutsAt, findVersionRefs, type RolloutAtQuestion, type RolloutSpanRow } from "./past-repo";

// What attribution needs beyond the snapshot, which holds only live versions and each config's
// latest rollouts: a version no longer live (whose config it is, which model prices it), a
// rollout older than the kept ones named by id, or the rollout running at an outcome's time
// before them. Asked about only by outcomes that arrive late or name such ids; answered from a
// bounded cache or, for the rest, read by index in one round of queries per batch. Memory stays
// flat however long the history grows.

/** Any version, live or not, as much as ingest needs: whose it is and which model it calls. */
export interface VersionRef {
  configId: string;
  model: string;
}

/** When a rollout ran and which two versions it compared: late outcomes are attributed by it. */
export interface RolloutSpan {
  id: string;
  baseVersionId: string;
  canaryVersionId: string;
  startedAt: number; // ms since epoch
  endedAt: number | null;
}

export interface PastRollout extends RolloutSpan {
  configId: string;
}

/**
 * Answers about the past. `undefined`: not known here, so the caller asks (PastQuestions) and
 * tries again with the answers; null: there is none.
 */
export interface Past {
  version(id: string): VersionRef | null | undefined;
  rollout(id: string): PastRollout | null | undefined;
  rolloutAt(configId: string, versionId: string, at: number): RolloutSpan | null | undefined;
}

/** The past as a snapshot offers it: cached answers, and the rest read on request. */
export interface PastSource extends Past {
  /** Reads what `questions` ask, and answers every one of them (null: none). */
  answer(questions: PastQuestions): Promise<Past>;
}

export class PastQuestions {
  readonly versionIds = new Set<string>();
  readonly rolloutIds = new Set<string>();
  readonly rolloutsAt = new Map<string, RolloutAtQuestion>();

  get size(): number {
    return this.versionIds.size + this.rolloutIds.size + this.rolloutsAt.size;
  }
}

export function rolloutAtKey(configId: string, versionId: string, at: number): string {
  return `${configId}\u0000${versionId}\u0000${at}`;
}

/** Entries kept of each kind; both never change once written (a rollout is cached only once ended). */
const CACHED = 10_000;

/** A map that forgets its least recently used entry beyond `capacity`. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

function spanOf(row: RolloutSpanRow): PastRollout {
  return {
    id: row.id,
    configId: row.configId,
    baseVersionId: row.baseVersionId,
    canaryVersionId: row.canaryVersionId,
    startedAt: row.createdAt.getTime(),
    endedAt: row.endedAt?.getTime() ?? null,
  };
}

/** The process's cache of the past, shared by every snapshot it builds (lib/snapshot/store.ts). */
export class PastLookup implements PastSource {
  private readonly versions = new Lru<VersionRef>(CACHED);
  private readonly rollouts = new Lru<PastRollout>(CACHED);

  constructor(private readonly db: Db) {}

  version(id: string): VersionRef | undefined {
    return this.versions.get(id);
  }

  rollout(id: string): PastRollout | undefined {
    return this.rollouts.get(id);
  }

  rolloutAt(): undefined {
    return undefined;
  }

  /** Reads what `questions` ask, keeps what never changes, and answers every one of them. */
  async answer(questions: PastQuestions): Promise<Past> {
    const ask = <T>(items: readonly unknown[], read: () => Promise<T[]>) => (items.length ? read() : Promise.resolve([]));
    const atQuestions = [...questions.rolloutsAt.values()];
    const [versions, rollouts, rolloutsAt] = await Promise.all([
      ask([...questions.versionIds], () => findVersionRefs(this.db, [...questions.versionIds])),
      ask([...questions.rolloutIds], () => findRolloutSpans(this.db, [...questions.rolloutIds])),
      ask(atQuestions, () => findRolloutsAt(this.db, atQuestions)),
    ]);
    const foundVersions = new Map<string, VersionRef>();
    for (const v of versions) {
      const ref = { configId: v.configId, model: v.model };
      foundVersions.set(v.id, ref);
      this.versions.set(v.id, ref);
    }
    const foundRollouts = new Map<string, PastRollout>();
    for (const row of rollouts) {
      const span = spanOf(row);
      foundRollouts.set(row.id, span);
      if (span.endedAt !== null) this.rollouts.set(row.id, span);
    }
    const foundAt = new Map<string, RolloutSpan>();
    for (const row of rolloutsAt) {
      const q = atQuestions[row.n - 1];
      foundAt.set(rolloutAtKey(q.configId, q.versionId, q.at), spanOf(row));
    }
    return {
      version: (id) => foundVersions.get(id) ?? this.versions.get(id) ?? null,
      rollout: (id) => foundRollouts.get(id) ?? this.rollouts.get(id) ?? null,
      rolloutAt: (configId, versionId, at) => foundAt.get(rolloutAtKey(configId, versionId, at)) ?? null,
    };
  }
}
