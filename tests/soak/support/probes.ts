import { sleep } from "./checks";

// Probes that ask the client API directly (no SDK in between) on a steady beat and keep every
// answer with its time, so a script can say what the API answered during a fault window:
// /api/route with its snapshot headers, and /api/metrics with a one-event batch per beat
// (unique request ids, so what was acknowledged can be looked up afterwards).

export interface Sample {
  /** performance.now() when the request was sent. */
  at: number;
  /** 0: no answer (connection refused, timeout). */
  status: number;
  ms: number;
  stale: boolean;
  retryAfter: string | null;
  requestId?: string;
}

export interface Probe {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

function beat(everyMs: number, once: () => Promise<Sample>): Probe {
  const samples: Sample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      samples.push(await once());
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function timed(request: () => Promise<Response>): Promise<Omit<Sample, "requestId">> {
  const at = performance.now();
  try {
    const response = await request();
    await response.arrayBuffer();
    return {
      at,
      status: response.status,
      ms: performance.now() - at,
      stale: response.headers.get("x-canary-snapshot") === "stale",
      retryAfter: response.headers.get("retry-after"),
    };
  } catch {
    return { at, status: 0, ms: performance.now() - at, stale: false, retryAfter: null };
  }
}

/** GET /api/route for `userId` every `everyMs`. */
export function probeRoute(baseUrl: () => string, authorization: string, config: string, userId: string, everyMs = 50): Probe {
  return beat(everyMs, () =>
    timed(() => fetch(`${baseUrl()}/api/route?config=${config}&userId=${userId}`, { headers: { authorization }, signal: AbortSignal.timeout(2_000) })),
  );
}

/** POST /api/metrics with one new outcome every `everyMs`; its request id is `<prefix>-<n>`. */
export function probeMetrics(baseUrl: () => string, authorization: string, config: string, versionId: string, prefix: string, everyMs = 1_000): Probe {
  let n = 0;
  return beat(everyMs, async () => {
    const requestId = `${prefix}-${++n}`;
    const body = JSON.stringify({ events: [{ requestId, config, versionId, rolloutId: null, isError: false, latencyMs: 900 }] });
    const sample = await timed(() =>
      fetch(`${baseUrl()}/api/metrics`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body, signal: AbortSignal.timeout(5_000) }),
    );
    return { ...sample, requestId };
  });
}

/** Samples sent in [from, to). */
export function within(samples: readonly Sample[], from: number, to: number): Sample[] {
  return samples.filter((s) => s.at >= from && s.at < to);
}

export function statusCounts(samples: readonly Sample[]): string {
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s === 0 ? "no answer" : s}×${n}`).join(", ") || "none";
}
