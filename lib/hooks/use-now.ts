"use client";

import { useEffect, useState } from "react";

/** The current time, refreshed every `everyMs`: for "time in stage" counters between data refreshes. */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
