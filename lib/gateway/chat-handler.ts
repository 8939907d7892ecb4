import type { ServerResponse } from "node:http";
import { AppError } from "../errors";
import { send, type HotResponse } from "../hot/http";
import { CallCancel } from "../outbound/cancel";
import { callProviderThen, ProviderCallError, type Connection } from "../providers/provider-call";
import type { Snapshot } from "../snapshot/snapshot";
import { CallRecord } from "./call-record";
import type { PreparedCall } from "./chat-call";
import { errorTypeOf, openAiError, providerFailure } from "./openai-errors";
import type { OutcomeRecorder } from "./recorder";
import { relayStream, relayWhole } from "./relay";

// A routed call: the version's provider connection called once (never retried: a retry would be
// billed again, and the app's own client retries what it wants to), the answer relayed, and the
// outcome recorded whatever happened — a provider's failure counts against the version like any
// error. A client that hangs up aborts the provider call; that outcome is recorded as
// `client_closed`, not as an error of the version.

export interface CallOptions {
  /** Until the provider's answer starts (its status; for a whole answer, all of it). */
  timeoutMs: number;
  /** The longest silence while a stream flows. */
  idleTimeoutMs: number;
}

/** Thrown into the provider call when the client goes away. */
class ClientClosed extends Error {}

/** The answer's headers that name what served the call, for feedback and scores sent later. */
export function canaryHeaders(call: PreparedCall, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {
    "x-canary-request-id": requestId,
    "x-canary-variant": call.variant,
    "x-canary-version": call.version.id,
    "x-canary-version-label": encodeURIComponent(call.version.label),
  };
  // Field names are the client's own: encoded, so no character of theirs can break the header.
  if (call.ignored.length) headers["x-canary-ignored"] = call.ignored.map(encodeURIComponent).join(", ");
  return headers;
}

/** The version's connection from the snapshot: a 502 naming what is missing or broken. */
function connectionOf(snapshot: Snapshot, call: PreparedCall): { connection: Connection; name: string } {
  const { version, config } = call;
  const which = `Version ${version.label} of config \`${config.key}\``;
  const providerId = version.llm.providerId;
  if (providerId === null) {
    throw new AppError(502, "provider_unavailable", `${which} names no provider connection, so the gateway cannot call it; pick one in a new version (providerId).`);
  }
  const provider = snapshot.providers.get(providerId);
  if (!provider) {
    throw new AppError(502, "provider_unavailable", `${which} names the provider connection ${providerId}, which does not exist (it was deleted); pick another in a new version.`);
  }
  try {
    return { connection: provider.open(), name: provider.name };
  } catch (error) {
    throw error instanceof ProviderCallError ? providerFailure(error, provider.name) : error;
  }
}

/**
 * Serves a prepared call to its end, records its outcome, then calls `done` (never with an error).
 * Written with callbacks, not async functions: every promise is an allocation a call pays for in
 * GC pauses (and while Next shared this thread's isolate, an async hook too; it has its own thread
 * now: lib/server/console.ts).
 */
export function answerCall(
  res: ServerResponse,
  snapshot: Snapshot,
  call: PreparedCall,
  record: CallRecord,
  recorder: OutcomeRecorder,
  options: CallOptions,
  done: () => void,
): void {
  const headers = canaryHeaders(call, record.requestId);
  const abort = new CallCancel();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new ClientClosed());
  };
  res.once("close", onClose);
  let provider = "";
  let finished = false;
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    if (error === undefined) {
      // served
    } else if (abort.aborted) {
      record.errorType = "client_closed";
    } else {
      if (error instanceof ProviderCallError) {
        record.fail(errorTypeOf(error));
        error = providerFailure(error, provider);
      }
      record.fail(error instanceof AppError ? error.code : "internal");
      if (!res.headersSent) reply(res, record.requestId, openAiError(error, record.requestId, headers));
      else res.destroy();
    }
    res.removeListener("close", onClose);
    record.end();
    recorder.record(record.row(snapshot));
    done();
  };
  let connection: Connection;
  try {
    ({ connection, name: provider } = connectionOf(snapshot, call));
  } catch (error) {
    return finish(error);
  }
  const body = call.stream ? { ...call.request, stream: true, stream_options: { include_usage: true } } : { ...call.request, stream: false };
  callProviderThen(
    connection,
    "/chat/completions",
    { method: "POST", body, accept: call.stream ? "text/event-stream" : "application/json" },
    { timeoutMs: options.timeoutMs, idleTimeoutMs: options.idleTimeoutMs, signal: abort, keepAlive: true },
    (error, answer) => {
      if (error !== undefined) return finish(error);
      try {
        if (call.stream) relayStream(res, answer!, record, connection, provider, headers, abort).then(() => finish(), finish);
        else relayWhole(res, answer!, record, provider, headers, finish);
      } catch (failure) {
        answer!.close();
        finish(failure);
      }
    },
  );
}

export function reply(res: ServerResponse, requestId: string, answer: HotResponse): void {
  send(res, requestId, answer);
}
