import { templateSegments } from "@/lib/console/template-preview";
import { codeSpans } from "@/lib/console/version-summary";

const TAG_STYLE = {
  variable: "rounded-sm bg-amber-100 text-amber-950 ring-1 ring-inset ring-amber-300",
  section: "rounded-sm bg-violet-100 text-violet-950 ring-1 ring-inset ring-violet-300",
  inverted: "rounded-sm bg-violet-100 text-violet-950 ring-1 ring-inset ring-violet-300",
  close: "rounded-sm bg-violet-100 text-violet-950 ring-1 ring-inset ring-violet-300",
} as const;

/** A template's text with its `{{tags}}` highlighted, as the editor highlights them. */
export function TemplateText({ text }: { text: string }) {
  return (
    <>
      {templateSegments(text).map((segment, i) =>
        segment.tag ? (
          <span key={i} className={TAG_STYLE[segment.tag]}>
            {segment.text}
          </span>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}

/** A sentence with its `backticked` names set as code (the diff's and the summaries' words). */
export function Words({ text }: { text: string }) {
  return (
    <>
      {codeSpans(text).map((part, i) =>
        part.code ? (
          <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.92em] text-slate-900">
            {part.text}
          </code>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
