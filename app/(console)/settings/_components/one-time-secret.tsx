"use client";

import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/query/api";

/**
 * A secret the server shows only once (a new API key, a one-time password): what it is for, the
 * secret itself, optionally a Copy button, and Done.
 */
export function OneTimeSecret({ label, secret, copyable = false, onDone, children }: { label: string; secret: string; copyable?: boolean; onDone: () => void; children: ReactNode }) {
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <div className="flex flex-col gap-3">
      <p role="status">{children}</p>
      <div className="flex items-center gap-2">
        <code aria-label={label} className="flex-1 break-all rounded-md bg-slate-900 p-2 font-mono text-sm text-slate-100">
          {secret}
        </code>
        {copyable && (
          <Button
            onClick={() =>
              navigator.clipboard.writeText(secret).then(
                () => setCopied("Copied."),
                (error: unknown) => setCopied(`Could not copy (${errorMessage(error)}); select the key and copy it by hand.`),
              )
            }
          >
            Copy
          </Button>
        )}
      </div>
      {copied && (
        <p role="status" className="text-sm text-slate-700">
          {copied}
        </p>
      )}
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
