import pg from "pg";

// LISTEN on a PostgreSQL server through a connection of its own (a pooled connection can be
// handed to anyone between queries, so it cannot hold a LISTEN). Reconnects with backoff; a
// notification sent while the connection was down is gone, so `onUp` tells the owner to reload.

export interface ListenHandlers {
  onNotify(payload: string): void;
  /** Listening (again): everything missed while down must be reloaded. */
  onUp(): void;
  /** The connection failed or a reconnect attempt failed; another attempt is scheduled. */
  onDown(error: unknown): void;
}

export interface Listener {
  /** Drops the connection and listens on a new one (then `onUp` asks for a reload). */
  reconnect(): void;
  close(): Promise<void>;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

export function listenOnServer(url: string, channel: string, handlers: ListenHandlers): Listener {
  let closed = false;
  let current: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let retryMs = FIRST_RETRY_MS;
  let failCurrent: ((error: unknown) => void) | null = null;

  const connect = async () => {
    timer = null;
    // TCP keepalive after 10 s idle: a connection silently dropped (NAT, failover) is noticed in
    // tens of seconds instead of the OS default of two hours.
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      if (current === client) current = null;
      client.removeAllListeners("notification");
      client.end().catch(() => undefined);
      if (closed) return;
      handlers.onDown(error);
      timer = setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
    client.on("error", fail);
    client.on("end", () => fail(new Error("the listening connection closed")));
    client.on("notification", (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      fail(error);
      return;
    }
    if (closed) {
      failed = true;
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    failCurrent = fail;
    retryMs = FIRST_RETRY_MS;
    handlers.onUp();
  };

  void connect();
  return {
    reconnect() {
      if (current) failCurrent?.(new Error("reconnecting"));
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const client = current;
      current = null;
      await client?.end().catch(() => undefined);
    },
  };
}
