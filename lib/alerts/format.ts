import { createHmac } from "node:crypto";
import type { AlertPayload, CHANNEL_KINDS } from "./schemas";

// How each channel kind wants an alert (pure, so it is unit-tested byte for byte):
// - webhook: the payload as JSON; with a secret, `X-LLM-Canary-Signature: sha256=<hex>` is the
//   HMAC-SHA256 of `<X-LLM-Canary-Timestamp>.<body>` (the timestamp stops replays);
// - slack (incoming webhook): `{ text }` in Slack's mrkdwn, people's text escaped (escapeSlack);
// - dingtalk (custom robot): `{ msgtype: "markdown", markdown: { title, text } }`, people's text
//   escaped (escapeDingTalk); with a secret, DingTalk's signing: `timestamp` and
//   `sign` = base64(HMAC-SHA256(`${timestamp}\n${secret}`)) added to the URL.

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Text someone typed (a rollback reason, a version label, a user's name), made literal in Slack's
 * mrkdwn: Slack reads `&`, `<` and `>` as control characters (`<!channel>` pings everyone,
 * `<https://x|text>` hides a link) and asks for exactly these three to be escaped.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The same for DingTalk's markdown: a backslash before each character that starts markup there
 * (links `[t](u)`, images `![t](u)`, headings, quotes, emphasis, code, HTML such as `<font>`), so
 * nobody's text can hide a link or load an image. (DingTalk mentions need the `at` field, which
 * alerts never send.)
 */
export function escapeDingTalk(text: string): string {
  return text.replace(/[\\`*_[\]()#!<>|~]/g, (c) => `\\${c}`);
}

type ChannelKind = (typeof CHANNEL_KINDS)[number];

export function formatAlert(
  kind: ChannelKind,
  url: string,
  secret: string | null,
  payload: AlertPayload,
  now: number,
): OutgoingRequest {
  const json = { "content-type": "application/json" };
  if (kind === "slack") {
    const link = payload.consoleUrl ? `\n<${payload.consoleUrl}|Open in LLM Canary>` : "";
    const text = `*${escapeSlack(payload.title)}*\n${escapeSlack(payload.text)}${link}`;
    return { url, headers: json, body: JSON.stringify({ text }) };
  }
  if (kind === "dingtalk") {
    const link = payload.consoleUrl ? `\n\n[Open in LLM Canary](${payload.consoleUrl})` : "";
    // The title is the notification's plain-text preview; only `text` is markdown.
    const text = `### ${escapeDingTalk(payload.title)}\n\n${escapeDingTalk(payload.text)}${link}`;
    const body = JSON.stringify({ msgtype: "markdown", markdown: { title: payload.title, text } });
    if (!secret) return { url, headers: json, body };
    const sign = createHmac("sha256", secret).update(`${now}\n${secret}`).digest("base64");
    const signed = new URL(url);
    signed.searchParams.set("timestamp", String(now));
    signed.searchParams.set("sign", sign);
    return { url: signed.toString(), headers: json, body };
  }
  const body = JSON.stringify(payload);
  if (!secret) return { url, headers: json, body };
  const timestamp = String(Math.floor(now / 1000));
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  const signatureHeaders = { "x-llm-canary-timestamp": timestamp, "x-llm-canary-signature": `sha256=${signature}` };
  return { url, headers: { ...json, ...signatureHeaders }, body };
}
