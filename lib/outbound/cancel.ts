// A caller's way to stop an outbound call: an AbortSignal, or a CallCancel where one is made per
// call on a hot path. Node's AbortController is an EventTarget, whose bookkeeping a gateway call
// paid for in allocations that outlived young-generation collections (measured: about a tenth of
// what each call promoted to the old generation).

/** What ./stream.ts reads of a caller's abort; an AbortSignal is one. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** A one-call abort: `abort(reason)` runs each listener once, as an AbortController's signal would. */
export class CallCancel implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];

  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted && !this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at !== -1) this.listeners.splice(at, 1);
  }

  /** `reason` is what the call fails with: never undefined, which callers would read as success. */
  abort(reason: unknown = new Error("The call was cancelled.")): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new Error("The call was cancelled.");
    // One at a time, so a listener removed by an earlier one does not run; one that throws does
    // not keep the others from running (as with an AbortSignal); the first error is thrown after.
    let failure: { error: unknown } | null = null;
    for (let listener = this.listeners.shift(); listener; listener = this.listeners.shift()) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
