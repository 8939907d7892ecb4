import { AppError } from "../errors";
import { errorPayload, newRequestId } from "../http/respond";
import type { OutcomeRow } from "../metrics/attribution";
import type { OutcomeStore } from "../metrics/ingest-repo";
import type { ConsoleMessage, MainMessage } from "./console-messages";

// The gateway's outcomes stored on the console's thread (./console.ts says why): the main thread
// sends each batch's attributed rows over the thread's message port and waits for its answer; the
// thread stores them and answers with how many were new, or with the error as the main thread's
// caller would have got it — so a database that is down is still a 503, and the recorder keeps
// the batch and sends it again. While the thread restarts (Next failed, or is starting again),
// batches are stored on the main thread's own database, as before the thread stored them.

type StoreAnswer = Extract<ConsoleMessage, { type: "stored" | "storeFailed" }>;

/** How long the thread may take to answer a batch: the statement's own limit (35 s, lib/db/client.ts) and a margin. */
const ANSWER_TIMEOUT_MS = 40_000;

/** The main thread's side: batches sent, waiting for their answers. */
export class StoreRequests {
  private readonly waiting = new Map<number, { resolve: (accepted: number) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private lastId = 0;

  constructor(
    /** Stores a batch while there is no thread to send it to (it is restarting): on this thread's database. */
    private readonly fallback: OutcomeStore,
    private readonly timeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /**
   * Sends the batch with `post` and resolves with the thread's answer; a thread that does not
   * answer in time fails it with 503, so it is sent again (a batch stored twice stores nothing
   * twice). Without `post`, stores it with the fallback.
   */
  store(post: ((message: MainMessage) => void) | null, rows: readonly OutcomeRow[], minutesFrom: Date): Promise<number> {
    if (!post) return this.fallback(rows, minutesFrom);
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(unanswered(`did not answer within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      timer.unref();
      this.waiting.set(id, { resolve, reject, timer });
      post({ type: "store", id, rows, minutesFrom });
    });
  }

  answer(message: StoreAnswer): void {
    const waiting = this.waiting.get(message.id);
    if (!waiting) return; // timed out: already failed, and sent again
    this.waiting.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.type === "stored") waiting.resolve(message.accepted);
    else waiting.reject(new AppError(message.error.status, message.error.code, message.error.message, undefined, message.error.headers));
  }

  /** The thread ended: no answer will come. */
  failAll(): void {
    for (const { reject, timer } of this.waiting.values()) {
      clearTimeout(timer);
      reject(unanswered("ended before it answered"));
    }
    this.waiting.clear();
  }
}

function unanswered(what: string): AppError {
  return new AppError(503, "console_unavailable", `The console's thread, which stores the gateway's outcomes, ${what}; they are kept and sent again.`, undefined, { "Retry-After": "1" });
}

/** The console thread's side: stores one batch and answers it (a failure as the admin API would answer it: errorPayload). */
export async function storeAndAnswer(store: OutcomeStore, message: Extract<MainMessage, { type: "store" }>, post: (message: ConsoleMessage) => void): Promise<void> {
  try {
    post({ type: "stored", id: message.id, accepted: await store(message.rows, message.minutesFrom) });
  } catch (error) {
    const { status, body, headers } = errorPayload(error, newRequestId());
    const { code, message: text } = (body as { error: { code: string; message: string } }).error;
    post({ type: "storeFailed", id: message.id, error: { status, code, message: text, headers } });
  }
}
