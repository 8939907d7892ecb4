"use client";

import { useId, useRef, type CSSProperties, type ReactNode } from "react";
import { useSidewaysOverflow } from "@/lib/hooks/use-sideways-overflow";

/**
 * How a table reads on a window narrower than tailwind's `sm` (40rem): either it scrolls sideways
 * inside its own box with its first column pinned and a visible hint while columns are out of
 * view, or each row becomes a card (a table of many rows with long cells, where a row is read on
 * its own rather than compared down a column).
 */
export type NarrowLayout = "scroll" | "cards";

type Props = { minWidth: string; caption?: string; children: ReactNode } & (
  | { narrow?: "scroll"; columns: ReactNode[] }
  | { narrow: "cards"; columns: readonly string[] }
);

/**
 * The console's table: a header row of column names, rows as children. At any width a table
 * wider than its box scrolls inside it (positioned, so screen-reader-only text stays inside), and
 * a hint and a shaded edge say more columns are there; a "scroll" table keeps its first column in
 * view, a "cards" table turns its rows into cards below `sm` instead.
 */
export function DataTable(props: Props) {
  const { columns, minWidth, caption, children } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const overflow = useSidewaysOverflow(scroller);
  const hintId = useId();
  const scrolls = overflow.before || overflow.after;
  const cards = props.narrow === "cards" ? cardLabels(props.columns) : null;
  return (
    <div className="relative overflow-hidden rounded-xl border border-slate-200 bg-white">
      {scrolls && (
        <p id={hintId} className="border-b border-slate-200 px-4 py-1.5 text-xs text-slate-700">
          {overflow.before && <span aria-hidden="true">← </span>}
          Scroll sideways to see every column
          {overflow.after && <span aria-hidden="true"> →</span>}
        </p>
      )}
      <div
        ref={scroller}
        className="relative overflow-x-auto focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-600"
        // Focusable while it scrolls, so a keyboard can scroll it too (WCAG 2.1.1).
        {...(scrolls ? { role: "region", "aria-label": `${caption ?? "Table"}, scrollable`, "aria-describedby": hintId, tabIndex: 0 } : {})}
      >
        <table className={`w-full ${minWidth} text-left text-sm ${cards ? CARDS : PINNED_FIRST_COLUMN}`} style={cards ?? undefined}>
          {caption && <caption className="sr-only">{caption}</caption>}
          <thead className="bg-slate-100 text-slate-700">
            <tr>
              {columns.map((column, i) => (
                <th key={i} scope="col" className="px-4 py-2 font-medium">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
      {overflow.after && <div aria-hidden="true" className="pointer-events-none absolute right-0 bottom-0 top-0 z-20 w-4 bg-linear-to-l from-slate-900/15 to-transparent" />}
    </div>
  );
}

/**
 * The first cell of each row stays in view while the rest scroll under it (opaque, above them),
 * with a divider on a narrow window where that happens.
 */
const PINNED_FIRST_COLUMN = [
  "[&_tr>:first-child]:sticky [&_tr>:first-child]:left-0 [&_tr>:first-child]:z-10",
  "[&_thead_tr>:first-child]:bg-slate-100 [&_tbody_tr>:first-child]:bg-white",
  "max-sm:[&_tr>:first-child]:shadow-[inset_-1px_0_0_var(--color-slate-200)]",
].join(" ");

/**
 * Below `sm`, each row a card: the header row only for screen readers (the cells keep their
 * column headers), the first cell as the card's title, every other cell with its column's name
 * beside it. The names come from the `--col-N` properties cardLabels sets.
 */
const CARDS = [
  "max-sm:block max-sm:min-w-0 max-sm:[&>thead]:sr-only max-sm:[&>tbody]:block",
  "max-sm:[&_tbody>tr]:block max-sm:[&_tbody>tr]:px-4 max-sm:[&_tbody>tr]:py-3 max-sm:[&_tbody>tr:first-child]:border-t-0",
  "max-sm:[&_tbody_tr>*]:flow-root max-sm:[&_tbody_tr>*]:max-w-none max-sm:[&_tbody_tr>*]:px-0 max-sm:[&_tbody_tr>*]:py-0.5",
  "max-sm:[&_tbody_tr>:first-child]:font-medium",
  // The name hangs in the cell's left padding (its margins cancel its width), so the content keeps
  // one column however many lines either takes; flow-root keeps a two-line name inside the cell.
  "max-sm:[&_tbody_tr>*+*]:pl-32 max-sm:[&_tbody_tr>*+*]:before:float-left max-sm:[&_tbody_tr>*+*]:before:-ml-32",
  "max-sm:[&_tbody_tr>*+*]:before:mr-4 max-sm:[&_tbody_tr>*+*]:before:w-28",
  "max-sm:[&_tbody_tr>*+*]:before:text-xs max-sm:[&_tbody_tr>*+*]:before:leading-5 max-sm:[&_tbody_tr>*+*]:before:font-normal max-sm:[&_tbody_tr>*+*]:before:text-slate-600",
  // Written out: tailwind only generates the classes it finds whole in the source.
  "max-sm:[&_tbody_tr>:nth-child(2)]:before:content-(--col-2) max-sm:[&_tbody_tr>:nth-child(3)]:before:content-(--col-3)",
  "max-sm:[&_tbody_tr>:nth-child(4)]:before:content-(--col-4) max-sm:[&_tbody_tr>:nth-child(5)]:before:content-(--col-5)",
  "max-sm:[&_tbody_tr>:nth-child(6)]:before:content-(--col-6)",
].join(" ");
const MAX_CARD_COLUMNS = 6;

/**
 * Each column's name as a CSS string for its cells' `::before`, with empty alternative text
 * (`/ ""`): a screen reader already hears the column header with the cell.
 */
function cardLabels(columns: readonly string[]): CSSProperties {
  if (columns.length > MAX_CARD_COLUMNS) throw new Error(`A card table shows at most ${MAX_CARD_COLUMNS} columns; this one has ${columns.length}.`);
  const css = (text: string) => `"${text.replace(/[\\"]/g, "\\$&").replace(/[\n\r\f]/g, " ")}" / ""`;
  return Object.fromEntries(columns.slice(1).map((name, i) => [`--col-${i + 2}`, css(name)]));
}
