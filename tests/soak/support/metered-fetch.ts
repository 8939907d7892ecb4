// A fetch for the SDK that watches the client API's answers the way a proxy would: per path,
// the statuses and network errors, /api/route latencies (request sent to headers received),
// how many route answers carried `X-Canary-Snapshot: stale`, which configs got a stable answer
// (what the SDK falls back to when the server is out), and what every 202 from /api/metrics
// acknowledged. The SDK's own `stats()` counts the same deliveries from its side.

interface PathCounts {
  statuses: Map<number, number>;
  networkErrors: number;
  lastError: string | null;
}

export interface Meter {
  fetch: typeof fetch;
  /** /api/route latencies in ms, in order. */
  readonly routeLatencies: number[];
  /** Route answers with the stale header. */
  readonly staleRoutes: number;
  /** Configs that got a 200 `stable` answer from /api/route. */
  readonly stableAnswered: ReadonlySet<string>;
  /** Sums over /api/metrics 202 answers. */
  readonly metrics: { accepted: number; duplicates: number; batches: number };
  /** Calls to this path that got a status outside `ok`, or no answer at all. */
  unexpected(path: string, ok: readonly number[]): number;
  describe(path: string): string;
}

export function createMeter(inner: typeof fetch = globalThis.fetch): Meter {
  const routeLatencies: number[] = [];
  const metrics = { accepted: 0, duplicates: 0, batches: 0 };
  const byPath = new Map<string, PathCounts>();
  const stableAnswered = new Set<string>();
  let staleRoutes = 0;
  const countsOf = (path: string) => {
    let counts = byPath.get(path);
    if (!counts) byPath.set(path, (counts = { statuses: new Map(), networkErrors: 0, lastError: null }));
    return counts;
  };

  const metered = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const counts = countsOf(url.pathname);
    const started = performance.now();
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      counts.networkErrors++;
      counts.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw error;
    }
    counts.statuses.set(response.status, (counts.statuses.get(response.status) ?? 0) + 1);
    if (url.pathname === "/api/route") {
      routeLatencies.push(performance.now() - started);
      if (response.headers.get("x-canary-snapshot") === "stale") staleRoutes++;
      if (response.status === 200) {
        const answer = (await response.clone().json()) as { config: string; variant: string };
        if (answer.variant === "stable") stableAnswered.add(answer.config);
      }
    }
    if (url.pathname === "/api/metrics" && response.status === 202) {
      const body = (await response.clone().json()) as { accepted: number; duplicates: number };
      metrics.accepted += body.accepted;
      metrics.duplicates += body.duplicates;
      metrics.batches++;
    } else if (response.status >= 400) {
      counts.lastError = `${response.status} ${(await response.clone().text()).slice(0, 300)}`;
    }
    return response;
  };

  return {
    fetch: metered as typeof fetch,
    routeLatencies,
    get staleRoutes() {
      return staleRoutes;
    },
    stableAnswered,
    metrics,
    unexpected(path, ok) {
      const counts = byPath.get(path);
      if (!counts) return 0;
      let n = counts.networkErrors;
      for (const [status, count] of counts.statuses) if (!ok.includes(status)) n += count;
      return n;
    },
    describe(path) {
      const counts = byPath.get(path);
      if (!counts) return "no calls";
      const statuses = [...counts.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(", ");
      const errors = counts.networkErrors ? `, network errors ×${counts.networkErrors}` : "";
      const last = counts.lastError && (counts.networkErrors || [...counts.statuses.keys()].some((s) => s >= 400)) ? ` (last: ${counts.lastError})` : "";
      return `${statuses || "no answers"}${errors}${last}`;
    },
  };
}
