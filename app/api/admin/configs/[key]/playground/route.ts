import { route, StreamedAnswer, wantsWholeAnswer } from "@/lib/http/route";
import { startPlaygroundRun } from "@/lib/playground/run-service";

// Streamed as newline-delimited JSON events; `Accept: application/json` waits and answers the
// stored run instead. A client that hangs up stops the columns still answering.
export const POST = route({ scope: "playground:run" }, async ({ db, actor, params, body, request }) => {
  const run = await startPlaygroundRun(db, actor, params.key, body);
  // The client may have hung up while the run was being prepared: the listener would never fire.
  if (request.signal.aborted) run.cancel();
  else request.signal.addEventListener("abort", run.cancel, { once: true });
  return wantsWholeAnswer(request) ? run.finished : new StreamedAnswer(run.events, run.cancel);
});
