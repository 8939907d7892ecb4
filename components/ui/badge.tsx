import type { ReactNode } from "react";

const TONES = {
  green: "bg-green-100 text-green-900 ring-green-300",
  red: "bg-red-100 text-red-900 ring-red-300",
  amber: "bg-amber-100 text-amber-900 ring-amber-300",
  blue: "bg-blue-100 text-blue-900 ring-blue-300",
  gray: "bg-slate-100 text-slate-800 ring-slate-300",
} as const;
export type Tone = keyof typeof TONES;

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>
      {children}
    </span>
  );
}
