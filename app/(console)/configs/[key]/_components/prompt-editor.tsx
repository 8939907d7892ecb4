"use client";

import { useRef } from "react";

/**
 * A monospace system-prompt editor with a line-number gutter. Lines do not soft-wrap, so each
 * number stays beside its line; the gutter scrolls with the text.
 */
export function PromptEditor({ id, value, onChange, describedBy, invalid }: { id: string; value: string; onChange: (value: string) => void; describedBy?: string; invalid?: boolean }) {
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = Math.max(1, value.split("\n").length);
  return (
    <div className="flex h-80 overflow-hidden rounded-md border border-slate-300 bg-white font-mono text-sm leading-6 focus-within:outline-2 focus-within:outline-blue-600">
      <div ref={gutter} aria-hidden="true" className="select-none overflow-hidden border-r border-slate-200 bg-slate-50 px-2 py-2 text-right text-slate-500">
        {Array.from({ length: lineCount }, (_, i) => (
          <div key={i}>{i + 1}</div>
        ))}
      </div>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        wrap="off"
        spellCheck={false}
        className="h-full flex-1 resize-none overflow-auto bg-transparent px-3 py-2 leading-6 outline-none"
      />
    </div>
  );
}
