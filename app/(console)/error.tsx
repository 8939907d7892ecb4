"use client";

import { Button } from "@/components/ui/button";

/** A console page that threw while rendering: say so and offer a retry, keeping the header. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-6 text-red-900">
      <h1 className="text-lg font-semibold">This page could not be shown</h1>
      <p className="mt-2 text-sm">{error.digest ? `Something went wrong on our side (reference ${error.digest}).` : error.message}</p>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
