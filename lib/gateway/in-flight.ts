// The calls in flight, for a stop that waits for them and then cuts off the rest. Not a Set (nor a
// Map): V8 rebuilds a Set's hash table every few dozen adds and deletes, and once the table is in
// the old generation — which any full collection under load puts it in — each rebuilt table is
// made there too, while the table it replaces keeps every entry it held until the next full
// collection. Each call's whole object graph then outlived two scavenges and was promoted: on
// bench:gateway, after the first full collection under load, 0.9 MB promoted per scavenge instead
// of 0.1 and a full collection every 2-3 s, each pausing every call in flight (--trace-gc-nvp).
// Slots in an array are cleared when a call ends, so nothing of a finished call stays reachable.

export class InFlight<T> {
  private readonly slots: (T | undefined)[] = [];
  /** The empty slots, reused first. */
  private readonly free: number[] = [];

  get size(): number {
    return this.slots.length - this.free.length;
  }

  /** Adds the item; the slot returned removes it. */
  add(item: T): number {
    const slot = this.free.pop() ?? this.slots.length;
    this.slots[slot] = item;
    return slot;
  }

  /** Removes the item from its slot; a second removal of it is ignored (the slot may hold another by then). */
  remove(slot: number, item: T): void {
    if (this.slots[slot] !== item) return;
    this.slots[slot] = undefined;
    this.free.push(slot);
  }

  /** The items in flight now. */
  items(): T[] {
    return this.slots.filter((item): item is T => item !== undefined);
  }
}
