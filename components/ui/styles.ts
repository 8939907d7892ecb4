/**
 * An in-text link: blue with contrast on white and slate-50, and always underlined — colour alone
 * must not be what tells a link from its sentence (WCAG 1.4.1).
 */
export const LINK =
  "text-blue-800 underline decoration-blue-300 underline-offset-2 hover:decoration-blue-800 focus-visible:outline-2 focus-visible:outline-blue-600";
/** A link that looks like a secondary button. */
export const LINK_BUTTON = "inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600";
