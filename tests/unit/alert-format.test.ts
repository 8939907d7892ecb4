import { describe, expect, it } from "vitest";
import { escapeDingTalk, escapeSlack, formatAlert } from "@/lib/alerts/format";
import type { AlertPayload } from "@/lib/alerts/schemas";

// What Slack and DingTalk receive when people's text carries markup: it arrives as text.

const hostile = "<!channel> see <https://evil.example|the runbook> & [click](https://evil.example) ![x](https://evil.example/p.png)";

const payload: AlertPayload = {
  event: "manual_rollback",
  at: "2026-11-27T10:00:00.000Z",
  title: "<@U024BE7LH> rolled back chat *v2*",
  text: hostile,
  rollout: { id: "ro_1", configKey: "chat", status: "rolled_back", stage: 0, percent: 1 },
  actor: "<@U024BE7LH>",
  reason: hostile,
  consoleUrl: "https://canary.example.com/rollouts/ro_1",
};

describe("escaping for chat markup", () => {
  it("Slack: &, < and > become entities, exactly Slack's three", () => {
    expect(escapeSlack("a & b <!here> <http://x|y> > *bold* _it_")).toBe(
      "a &amp; b &lt;!here&gt; &lt;http://x|y&gt; &gt; *bold* _it_",
    );
    expect(escapeSlack("&amp;")).toBe("&amp;amp;"); // text that looks escaped stays text
  });

  it("DingTalk: markup characters get a backslash", () => {
    expect(escapeDingTalk("[a](http://x) ![i](http://y) <font> # h \\ `c` *b* _i_ ~s~ |t|")).toBe(
      "\\[a\\]\\(http://x\\) \\!\\[i\\]\\(http://y\\) \\<font\\> \\# h \\\\ \\`c\\` \\*b\\* \\_i\\_ \\~s\\~ \\|t\\|",
    );
  });

  it("a Slack alert carries no mention, no hidden link, and keeps its own console link", () => {
    const { text } = JSON.parse(formatAlert("slack", "https://hooks.slack.com/services/T/B/x", null, payload, 0).body);
    expect(text).toBe(
      "*&lt;@U024BE7LH&gt; rolled back chat *v2**\n" +
        "&lt;!channel&gt; see &lt;https://evil.example|the runbook&gt; &amp; " +
        "[click](https://evil.example) ![x](https://evil.example/p.png)\n" +
        "<https://canary.example.com/rollouts/ro_1|Open in LLM Canary>",
    );
    expect(text.match(/</g)).toHaveLength(1); // the console link only
  });

  it("a DingTalk alert carries no link or image of anyone's, and keeps its own console link", () => {
    const { markdown } = JSON.parse(formatAlert("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", null, payload, 0).body);
    expect(markdown.title).toBe(payload.title); // the preview is plain text
    expect(markdown.text).toBe(
      "### \\<@U024BE7LH\\> rolled back chat \\*v2\\*\n\n" +
        "\\<\\!channel\\> see \\<https://evil.example\\|the runbook\\> & " +
        "\\[click\\]\\(https://evil.example\\) \\!\\[x\\]\\(https://evil.example/p.png\\)" +
        "\n\n[Open in LLM Canary](https://canary.example.com/rollouts/ro_1)",
    );
    expect(markdown.text.match(/(?<!\\)\]\(/g)).toHaveLength(1); // one link syntax left: the console's
  });

  it("a webhook gets the payload as JSON, unchanged", () => {
    expect(JSON.parse(formatAlert("webhook", "https://hooks.example.com/x", null, payload, 0).body)).toEqual(payload);
  });
});
