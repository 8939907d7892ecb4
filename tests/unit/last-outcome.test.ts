import { describe, expect, it } from "vitest";
import { agoText, outcomeSentence, shortReason } from "@/lib/console/last-outcome";

// The dashboard's words for a config's last ended rollout.

describe("outcomeSentence", () => {
  it("says what happened and who did it, the controller by its role", () => {
    expect(outcomeSentence({ status: "rolled_back", endedBy: { type: "controller", label: "controller" } })).toBe("Rolled back by the controller");
    expect(outcomeSentence({ status: "promoted", endedBy: { type: "user", label: "ana@example.com" } })).toBe("Promoted by ana@example.com");
    expect(outcomeSentence({ status: "aborted", endedBy: { type: "api_key", label: "key:ci" } })).toBe("Aborted by key:ci");
    expect(outcomeSentence({ status: "rolled_back", endedBy: null })).toBe("Rolled back");
  });
});

describe("shortReason", () => {
  it("keeps a short reason whole", () => {
    expect(shortReason("answers cite the wrong articles")).toEqual({ text: "answers cite the wrong articles", cut: false });
  });

  it("cuts a long one at a word boundary with an ellipsis", () => {
    const reason = "Automatic rollback: error rate 9.1 % (95 % interval 7.4-11.0 %) is above the limit of 5 %, with 1,204 canary requests";
    const short = shortReason(reason, 60);
    expect(short.cut).toBe(true);
    expect(short.text).toBe("Automatic rollback: error rate 9.1 % (95 % interval…");
    expect([...short.text].length).toBeLessThanOrEqual(60);
    expect(reason.startsWith(short.text.slice(0, -1))).toBe(true);
  });

  it("cuts inside a word rather than leave too little", () => {
    expect(shortReason(`short ${"x".repeat(100)}`, 20)).toEqual({ text: `short ${"x".repeat(13)}…`, cut: true });
  });

  it("puts a reason on one line", () => {
    expect(shortReason("first line\n  second line")).toEqual({ text: "first line second line", cut: false });
  });
});

describe("agoText", () => {
  const now = Date.parse("2026-01-03T12:00:00Z");
  it.each([
    ["2026-01-03T11:59:30Z", "just now"],
    ["2026-01-03T12:00:30Z", "just now"],
    ["2026-01-03T11:48:00Z", "12 min ago"],
    ["2026-01-03T09:00:00Z", "3 h ago"],
    ["2026-01-01T11:00:00Z", "2 days ago"],
  ])("%s → %s", (then, text) => {
    expect(agoText(Date.parse(then), now)).toBe(text);
  });
});
