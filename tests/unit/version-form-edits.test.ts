import { describe, expect, it } from "vitest";
import { EMPTY_VERSION_FORM, type VersionForm } from "@/lib/console/version-form";
import { addMessage, addStop, addTool, moveMessage, moveTool, nextRole, removeMessage, removeStop, removeTool, setStop, updateMessage, updateTool, updateVariable } from "@/lib/console/version-form-edits";

const roles = (form: VersionForm) => form.messages.map((m) => `${m.key}:${m.role}`);

describe("message edits", () => {
  it("adds the next turn of the conversation with a fresh key", () => {
    let form = addMessage(EMPTY_VERSION_FORM); // after the system message: a user turn
    form = addMessage(form); // then the assistant's
    form = addMessage(form, "placeholder");
    form = addMessage(form); // the placeholder is not a turn: after the assistant, a user
    expect(roles(form)).toEqual(["m1:system", "m2:user", "m3:assistant", "m4:placeholder", "m5:user"]);
    expect(form.messages[3].name).toBe("history");
    expect(nextRole([])).toBe("user");
  });

  it("moves a message one place, not past either end, and keeps its key", () => {
    let form = addMessage(addMessage(EMPTY_VERSION_FORM));
    form = moveMessage(form, "m3", -1);
    expect(roles(form)).toEqual(["m1:system", "m3:assistant", "m2:user"]);
    expect(roles(moveMessage(form, "m1", -1))).toEqual(roles(form));
    expect(roles(moveMessage(form, "m2", 1))).toEqual(roles(form));
    expect(roles(moveMessage(form, "m1", 1))).toEqual(["m3:assistant", "m1:system", "m2:user"]);
  });

  it("removes by key and edits one message only", () => {
    let form = addMessage(addMessage(EMPTY_VERSION_FORM));
    form = updateMessage(removeMessage(form, "m2"), "m3", { content: "Sure." });
    expect(form.messages.map((m) => [m.key, m.content])).toEqual([["m1", ""], ["m3", "Sure."]]);
  });

  it("a message turned into a placeholder gets a free name and keeps its text for turning back", () => {
    let form = addMessage(addMessage(EMPTY_VERSION_FORM, "placeholder"));
    form = updateMessage(form, "m3", { content: "kept" });
    form = updateMessage(form, "m3", { role: "placeholder" });
    expect(form.messages.map((m) => m.name)).toEqual(["", "history", "history_2"]);
    expect(updateMessage(form, "m3", { role: "user" }).messages[2]).toEqual({ key: "m3", role: "user", content: "kept", name: "history_2" });
  });
});

describe("tool edits", () => {
  it("adds tools with free names; renaming or removing the chosen tool follows in the tool choice", () => {
    let form = addTool(addTool(EMPTY_VERSION_FORM));
    expect(form.tools.map((t) => t.name)).toEqual(["tool", "tool_2"]);
    form = { ...form, toolChoice: "tool:tool_2" };
    form = updateTool(form, "t3", { name: "lookup_order" });
    expect(form.toolChoice).toBe("tool:lookup_order");
    expect(updateTool(form, "t2", { name: "other" }).toolChoice).toBe("tool:lookup_order");
    expect(removeTool(form, "t2").toolChoice).toBe("tool:lookup_order");
    expect(removeTool(form, "t3")).toMatchObject({ toolChoice: "", tools: [{ key: "t2" }] });
    expect(moveTool(form, "t3", -1).tools.map((t) => t.key)).toEqual(["t3", "t2"]);
  });
});

describe("variables and stop sequences", () => {
  it("remembers a variable's default, description and sample by name", () => {
    let form = updateVariable(EMPTY_VERSION_FORM, "customer", { sample: "Ada" });
    form = updateVariable(form, "customer", { default: "there" });
    form = updateVariable(form, "__proto__", { description: "odd, but a valid name" });
    expect(form.variables).toEqual([
      { name: "customer", default: "there", description: "", sample: "Ada" },
      { name: "__proto__", default: null, description: "odd, but a valid name", sample: "" },
    ]);
  });

  it("adds, sets and removes stop sequences by place", () => {
    let form = addStop(addStop(EMPTY_VERSION_FORM));
    form = setStop(setStop(form, 0, "###"), 1, "\\n\\n");
    expect(removeStop(form, 0).stop).toEqual(["\\n\\n"]);
  });
});
