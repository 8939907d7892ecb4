import { createHmac } from "node:crypto";
import type { AlertPayload } from "./schemas";

// How each channel kind wants an alert (pure, so it is unit-tested byte for byte):
// - webhook: the payload as JSON; with a secret, `X-LLM-Canary-Signature: sha256=<hex>` is the
//   HMAC-SHA256 of `<X-LLM-Canary-Timestamp>.<body>` (the timestamp stops replays);
// - slack (incoming webhook): `{ text }` in Slack's mrkdwn;
// - dingtalk (custom robot): `{ msgtype: "markdown", markdown: { title, text } }`; with a secret,
//   DingTalk's signing: `timestamp` and `sign` = base64(HMAC-SHA256(`${timestamp}\n${secret}`))
//   added to the URL.

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function formatAlert(kind: "webhook" | "slack" | "dingtalk", url: string, secret: string | null, payload: AlertPayload, now: number): OutgoingRequest {
  const json = { "content-type": "application/json" };
  if (kind === "slack") {
    const link = payload.consoleUrl ? `\n<${payload.consoleUrl}|Open in LLM Canary>` : "";
    return { url, headers: json, body: JSON.stringify({ text: `*${payload.title}*\n${payload.text}${link}` }) };
  }
  if (kind === "dingtalk") {
    const link = payload.consoleUrl ? `\n\n[Open in LLM Canary](${payload.consoleUrl})` : "";
    const body = JSON.stringify({ msgtype: "markdown", markdown: { title: payload.title, text: `### ${payload.title}\n\n${payload.text}${link}` } });
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
  return { url, headers: { ...json, "x-llm-canary-timestamp": timestamp, "x-llm-canary-signature": `sha256=${signature}` }, body };
}
