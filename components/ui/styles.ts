/** An in-text link: blue enough for contrast on white and slate-50, underlined on hover. */
export const LINK = "text-blue-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600";
/** A link that looks like a secondary button. */
export const LINK_BUTTON = "inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600";
