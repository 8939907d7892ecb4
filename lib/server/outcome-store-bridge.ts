import { AppError } from "../errors";
import { toAppError } from "../http/respond";
import type { OutcomeRow } from "../metrics/attribution";
import type { OutcomeStore } from "../metrics/ingest-repo";
import type { ConsoleMessage, MainMessage, StoreFailure } from "./console-messages";

// The gateway's outcomes stored on the console's thread (./console.ts says why): the main thread
// sends each batch's attributed rows over the thread's message port and waits for its answer; the
// thread stores them and answers with how many were new, or with the error as the main thread's
// caller would have got it — so a database that is down is still a 503, and the recorder keeps
// the batch and sends it again.

type StoreAnswer = Extract<ConsoleMessage, { type: "stored" | "storeFailed" }>;

/** The main thread's side: batches sent, waiting for their answers. */
export class StoreRequests {
  private readonly waiting = new Map<number, { resolve: (accepted: number) => void; reject: (error: Error) => void }>();
  private lastId = 0;

  /** Sends the batch with `post`; resolves with the thread's answer. */
  send(post: (message: MainMessage) => void, rows: readonly OutcomeRow[], minutesFrom: Date): Promise<number> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      post({ type: "store", id, rows, minutesFrom });
    });
  }

  answer(message: StoreAnswer): void {
    const waiting = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (message.type === "stored") waiting?.resolve(message.accepted);
    else waiting?.reject(new AppError(message.error.status, message.error.code, message.error.message, undefined, message.error.headers));
  }

  /** The thread ended: no answer will come. */
  failAll(error: () => Error): void {
    for (const { reject } of this.waiting.values()) reject(error());
    this.waiting.clear();
  }
}

/** The console thread's side: stores one batch and answers it. */
export async function storeAndAnswer(store: OutcomeStore, message: Extract<MainMessage, { type: "store" }>, post: (message: ConsoleMessage) => void): Promise<void> {
  try {
    post({ type: "stored", id: message.id, accepted: await store(message.rows, message.minutesFrom) });
  } catch (error) {
    const known = toAppError(error);
    if (!known) console.error("[llm-canary] storing the gateway's outcomes failed", error);
    const failure: StoreFailure = known
      ? { status: known.status, code: known.code, message: known.message, headers: known.headers }
      : { status: 500, code: "internal", message: "Something went wrong on our side while storing outcomes." };
    post({ type: "storeFailed", id: message.id, error: failure });
  }
}
