import type { Change } from "../change-notify";
import type { ReloadScope } from "./repo";

// What each change notification (lib/change-notify.ts) makes an instance reload: the one item of
// its snapshot the change touched. Pure.

export type ItemKind = keyof ReloadScope;

export interface Item {
  kind: ItemKind;
  id: string;
}

/** A notification understood: its place in the order of changes, and the item to reload (null: nothing the snapshot holds). */
export interface Notice {
  seq: number;
  item: Item | null;
}

/** Each kind of change, and the item it reloads, in one place. */
const RELOADS: { [K in Change["kind"]]: (change: Record<string, unknown>) => Item | null } = {
  config: (c) => item("configIds", c.configId),
  // A config's score definitions are part of its entry.
  score: (c) => item("configIds", c.configId),
  // A new version is not live until a config change names it as stable or canary; until then
  // the snapshot holds nothing of it (an outcome that names it is looked up: lib/snapshot/past.ts).
  version: () => null,
  api_key: (c) => item("keyIds", c.apiKeyId),
  price: (c) => item("models", c.model),
  provider: (c) => item("providerIds", c.providerId),
};

/** Throws on a missing id: the notice is then not understood, and the whole snapshot reloads. */
function item(kind: ItemKind, id: unknown): Item {
  if (typeof id !== "string" || id === "") throw new Error("a change names no item");
  return { kind, id };
}

/** The notice of a notification's payload, or null for one not understood (the caller reloads everything). */
export function parseNotice(payload: string): Notice | null {
  try {
    const change = JSON.parse(payload) as Record<string, unknown>;
    const reload = Object.hasOwn(RELOADS, String(change.kind)) ? RELOADS[change.kind as Change["kind"]] : undefined;
    if (!reload || !Number.isSafeInteger(change.seq) || (change.seq as number) < 1) return null;
    return { seq: change.seq as number, item: reload(change) };
  } catch {
    return null;
  }
}

/** The scope of a partial load of these items. */
export function scopeOf(items: Iterable<Item>): ReloadScope {
  const scope = { configIds: [] as string[], keyIds: [] as string[], providerIds: [] as string[], models: [] as string[] };
  for (const { kind, id } of items) scope[kind].push(id);
  return scope;
}
