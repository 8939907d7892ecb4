import type { ReactNode } from "react";

/**
 * The console's form for a mutation. noValidate: the server's messages name the field and the
 * rule; the browser's own bubbles would stop some submits and not others. Submitting calls
 * `onSubmit` instead of loading a page.
 */
export function Form({ onSubmit, className = "flex flex-col gap-4", children }: { onSubmit: () => void; className?: string; children: ReactNode }) {
  return (
    <form
      noValidate
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}
