"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { INPUT_CLASS } from "@/components/ui/field";
import { errorMessage } from "@/lib/query/api";
import { configQueries, type RoutePreviewWire } from "@/lib/query/configs";

const REASONS: Record<RoutePreviewWire["reason"], string> = {
  no_rollout: "there is no active rollout",
  excluded: "the user is on the rollout's never-canary list",
  included: "the user is on the rollout's always-canary list",
  not_included: "the rollout only serves its always-canary list",
  bucket: "of the user's bucket",
  random: "the rollout is not sticky: each request is drawn at random",
};

/** "Why does this user see the canary?": the answer /api/route would give now, with its reason. */
export function RoutePreview({ configKey }: { configKey: string }) {
  const [draft, setDraft] = useState("");
  const [userId, setUserId] = useState<string | null>(null);
  const preview = useQuery({ ...configQueries.routePreview(configKey, userId ?? ""), enabled: userId !== null });
  return (
    <section aria-labelledby="preview-heading" className="rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="preview-heading" className="mb-2 text-lg font-semibold">
        Which version does a user get?
      </h2>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) setUserId(draft.trim());
        }}
      >
        <label className="flex flex-col gap-1 text-sm font-medium">
          User id
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. user-42" className={`${INPUT_CLASS} font-mono`} />
        </label>
        <Button type="submit">Check</Button>
      </form>
      {userId !== null && (
        <p role="status" className="mt-3 text-sm text-slate-800">
          {preview.isPending ? (
            "Checking…"
          ) : preview.error ? (
            <span className="text-red-800">{errorMessage(preview.error)}</span>
          ) : (
            <>
              <span className="font-mono">{preview.data!.userId}</span> gets <strong>{preview.data!.version?.label ?? "no version"}</strong> ({preview.data!.variant}) because {REASONS[preview.data!.reason]}
              {preview.data!.reason === "bucket" && preview.data!.bucket !== null && preview.data!.threshold !== null && (
                <>
                  {" "}
                  (bucket {preview.data!.bucket} {preview.data!.bucket < preview.data!.threshold ? "<" : "≥"} {preview.data!.threshold})
                </>
              )}
              .
            </>
          )}
        </p>
      )}
    </section>
  );
}
