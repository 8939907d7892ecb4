// A background pass run again and again: the next one starts `intervalMs` after the last has
// finished, so passes never overlap; a failed pass is reported and the next runs on time. The
// timer does not keep the process alive. stop() cancels the next pass and waits for the one running.

export interface Periodic {
  stop(): Promise<void>;
}

export function runPeriodically(pass: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = pass()
      .then(() => undefined, onError)
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, intervalMs);
        timer.unref();
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
