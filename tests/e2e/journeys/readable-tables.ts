import type { Locator } from "@playwright/test";

/**
 * A cell needs at least this much room, or its natural width if that is less: about 20
 * characters of the console's 14 px text, so a column never reads a word or two per line.
 */
const MIN_CELL_PX = 140;

/**
 * Why cells of `table` are hard to reach or read in the current window ([] when none is), for a
 * person with no mouse wheel to discover a sideways scroll: each cell with text is
 * - announced: a cell outside its sideways scroller's view at first says so through a visible hint
 *   (the scroller's description mentions scrolling);
 * - reachable and unclipped: scrolled into view, its box lies inside the viewport and inside what
 *   its scroller shows, nothing (a pinned column, say) covers it, and its content does not spill
 *   out of it;
 * - named: its column's header is shown, or the cell shows that name beside its content (a card's
 *   first cell is the card's title and needs no name);
 * - roomy: it gets MIN_CELL_PX of width, or its whole natural width if less.
 */
export async function unreadableCells(table: Locator): Promise<string[]> {
  return table.evaluate((t: HTMLTableElement, minCellPx: number) => {
    const problems: string[] = [];
    const headers = [...t.tHead!.rows[0].cells].map((cell) => ({ cell, name: cell.textContent!.trim() }));
    const scrollerOf = (el: Element): HTMLElement | null => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== "visible") return p;
      }
      return null;
    };
    /** Whether `el` lies, left to right, inside both the viewport and what its scroller shows. */
    const inView = (el: Element) => {
      const box = el.getBoundingClientRect();
      const scroller = scrollerOf(el);
      let left = 0;
      let right = document.documentElement.clientWidth;
      if (scroller) {
        const frame = scroller.getBoundingClientRect();
        left = Math.max(left, frame.left + scroller.clientLeft);
        right = Math.min(right, frame.left + scroller.clientLeft + scroller.clientWidth);
      }
      return box.left >= left - 1 && box.right <= right + 1;
    };
    const shown = (el: Element) => {
      const box = el.getBoundingClientRect();
      return el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && box.width > 2 && box.height > 2;
    };
    const rows = [...t.tBodies].flatMap((body) => [...body.rows]);
    // Where each cell is before anything scrolls: later scrolls move the others.
    const cells = rows.flatMap((row, r) => [...row.cells].map((cell, c) => ({ cell, r, c, atFirst: inView(cell) })));
    for (const { cell, r, c, atFirst } of cells) {
      const header = headers[c];
      const where = `row ${r + 1}, column "${header?.name ?? c + 1}"`;
      const text = cell.innerText.trim();
      if (!text) continue;
      const scroller = scrollerOf(cell);
      if (!atFirst && scroller) {
        const hint = document.getElementById(scroller.getAttribute("aria-describedby") ?? "");
        if (!hint || !shown(hint) || !/scroll/i.test(hint.innerText)) problems.push(`${where}: out of view in a sideways scroller that shows no hint it scrolls`);
      }
      cell.scrollIntoView({ block: "center", inline: "end" });
      const box = cell.getBoundingClientRect();
      if (!cell.checkVisibility({ opacityProperty: true, visibilityProperty: true })) problems.push(`${where}: hidden`);
      if (!inView(cell)) {
        problems.push(`${where}: clipped at ${Math.round(box.left)}–${Math.round(box.right)} px`);
      } else {
        const y = box.top + Math.min(box.height / 2, 12);
        for (const x of [box.left + 3, box.right - 3]) {
          const hit = document.elementFromPoint(x, y);
          if (!hit || !cell.contains(hit)) problems.push(`${where}: covered at x=${Math.round(x)} by ${hit ? `${hit.tagName} "${(hit.textContent ?? "").trim().slice(0, 30)}"` : "nothing"}`);
        }
      }
      if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`${where}: its content spills ${cell.scrollWidth - cell.clientWidth} px out of the cell`);
      const label = getComputedStyle(cell, "::before");
      if (c > 0 && header && !shown(header.cell) && !label.content.includes(header.name) && !text.includes(header.name)) {
        problems.push(`${where}: the column's name shows neither in a header nor beside the content`);
      }
      // Room for the content: the content box, less what a name floated beside it takes of it.
      const style = getComputedStyle(cell);
      let room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (label.float !== "none" && label.content !== "none") room -= Math.max(0, parseFloat(label.width) + parseFloat(label.marginLeft) + parseFloat(label.marginRight));
      const probe = document.createElement("div");
      probe.style.cssText = "position:absolute;left:0;top:0;visibility:hidden;width:max-content";
      for (const node of cell.childNodes) probe.append(node.cloneNode(true));
      cell.append(probe);
      const natural = probe.getBoundingClientRect().width;
      probe.remove();
      if (room + 1 < Math.min(natural, minCellPx)) problems.push(`${where}: squeezed into ${Math.round(room)} px (its content is ${Math.round(natural)} px wide)`);
    }
    return problems;
  }, MIN_CELL_PX);
}
