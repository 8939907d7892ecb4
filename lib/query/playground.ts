import { infiniteQueryOptions } from "@tanstack/react-query";
import type { PlaygroundEvent, RunsPageDto } from "../playground/schemas";
import { ApiError, apiFetch } from "./api";
import { configKeys } from "./configs";
import type { Wire } from "./wire";

// The playground's runs (listed per config, under the config's key so a refresh of the config
// refreshes them) and a run itself: POST …/playground read line by line as it streams. Bad input
// and missing permissions come back before the stream starts, as ApiError like any other call.

export type RunsPageWire = Wire<RunsPageDto>;

const base = (key: string) => `/api/admin/configs/${encodeURIComponent(key)}/playground`;

export const playgroundKeys = {
  runs: (key: string) => [...configKeys.detail(key), "playground-runs"] as const,
};

export const playgroundQueries = {
  runs: (key: string) =>
    infiniteQueryOptions({
      queryKey: playgroundKeys.runs(key),
      queryFn: ({ pageParam }) => apiFetch<RunsPageWire>(`${base(key)}/runs?limit=10${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
    }),
};

/** Starts a run and calls `onEvent` with each event as it arrives; resolves when the stream ends. */
export async function streamRun(key: string, body: unknown, onEvent: (event: Wire<PlaygroundEvent>) => void, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(base(key), {
      method: "POST",
      headers: { accept: "application/x-ndjson", "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiError(0, "network", "The server could not be reached. Check your connection and run again.");
  }
  if (!response.ok || !response.body) {
    const payload = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } } | undefined;
    const error = payload?.error;
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? `The server answered ${response.status}.`, error?.details ?? []);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim()) onEvent(JSON.parse(line) as Wire<PlaygroundEvent>);
  }
  if (buffer.trim()) onEvent(JSON.parse(buffer) as Wire<PlaygroundEvent>);
}
