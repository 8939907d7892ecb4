import { describe, expect, it } from "vitest";
import { CallCancel } from "@/lib/outbound/cancel";

describe("CallCancel (a gateway call's abort, without an EventTarget)", () => {
  it("runs each listener once, with the reason set, and none that was removed", () => {
    const cancel = new CallCancel();
    const calls: string[] = [];
    const first = () => calls.push(`first:${String(cancel.reason)}`);
    const removed = () => calls.push("removed");
    const second = () => calls.push(`second:${String(cancel.aborted)}`);
    cancel.addEventListener("abort", first);
    cancel.addEventListener("abort", removed);
    cancel.addEventListener("abort", second);
    cancel.removeEventListener("abort", removed);
    cancel.abort("client gone");
    cancel.abort("again");
    expect(calls).toEqual(["first:client gone", "second:true"]);
    expect(cancel.reason).toBe("client gone");
  });

  it("a listener removed by an earlier one does not run, nor one added after the abort (as with an AbortSignal)", () => {
    const cancel = new CallCancel();
    const calls: string[] = [];
    const later = () => calls.push("later");
    cancel.addEventListener("abort", () => {
      calls.push("one");
      cancel.removeEventListener("abort", later);
    });
    cancel.addEventListener("abort", later);
    cancel.abort(new Error("x"));
    cancel.addEventListener("abort", () => calls.push("after"));
    expect(calls).toEqual(["one"]);
  });

  it("runs a listener added twice once, runs the others when one throws (then throws its error), and never has an undefined reason", () => {
    const cancel = new CallCancel();
    const calls: string[] = [];
    const twice = () => calls.push("twice");
    cancel.addEventListener("abort", twice);
    cancel.addEventListener("abort", twice);
    cancel.addEventListener("abort", () => {
      throw new Error("listener failed");
    });
    cancel.addEventListener("abort", () => calls.push("after the throw"));
    expect(() => cancel.abort(undefined)).toThrow("listener failed");
    expect(calls).toEqual(["twice", "after the throw"]);
    expect(cancel.reason).toBeInstanceOf(Error);
  });
});
