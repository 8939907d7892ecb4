"use client";

import { useEffect, useState, type RefObject } from "react";

/** Whether a sideways scroller hides content to its left and to its right. */
export interface SidewaysOverflow {
  before: boolean;
  after: boolean;
}

const NONE: SidewaysOverflow = { before: false, after: false };

/**
 * What `ref`'s box hides sideways, kept current as it scrolls and as it or its content resizes
 * (a new row, a narrower window). Nothing before the first measure: the server cannot know.
 */
export function useSidewaysOverflow(ref: RefObject<HTMLElement | null>): SidewaysOverflow {
  const [overflow, setOverflow] = useState(NONE);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const measure = () => {
      // A pixel of slack: zoomed layouts leave fractions.
      const before = box.scrollLeft > 1;
      const after = box.scrollLeft + box.clientWidth < box.scrollWidth - 1;
      setOverflow((now) => (now.before === before && now.after === after ? now : { before, after }));
    };
    measure();
    box.addEventListener("scroll", measure, { passive: true });
    const resized = new ResizeObserver(measure);
    resized.observe(box);
    for (const child of box.children) resized.observe(child);
    return () => {
      box.removeEventListener("scroll", measure);
      resized.disconnect();
    };
  }, [ref]);
  return overflow;
}
