"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";

/**
 * Move up, move down and remove for one card of a list. At either end a move button stays
 * focusable (aria-disabled, not disabled), so keyboard focus is not lost when a card reaches
 * the top; the list puts focus back on the button after the card moved.
 */
export function CardActions({ name, index, count, idOf, onMove, onRemove, canRemove = true }: {
  /** "message 2": the buttons read "Move message 2 up". */
  name: string;
  index: number;
  count: number;
  idOf: (which: "up" | "down") => string;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  canRemove?: boolean;
}) {
  const atTop = index === 0;
  const atBottom = index === count - 1;
  return (
    <div role="group" aria-label={`${name} actions`} className="flex gap-1">
      <Button id={idOf("up")} aria-label={`Move ${name} up`} aria-disabled={atTop || undefined} onClick={() => !atTop && onMove(-1)} className="px-2 aria-disabled:text-slate-400">
        <span aria-hidden="true">↑</span>
      </Button>
      <Button id={idOf("down")} aria-label={`Move ${name} down`} aria-disabled={atBottom || undefined} onClick={() => !atBottom && onMove(1)} className="px-2 aria-disabled:text-slate-400">
        <span aria-hidden="true">↓</span>
      </Button>
      <Button aria-label={`Remove ${name}`} disabled={!canRemove} onClick={onRemove}>
        Remove
      </Button>
    </div>
  );
}

/** Focus an element by id after the next render (a moved card's button, once the list re-rendered). */
export function useFocusAfterRender(): (id: string) => void {
  const pending = useRef<string | null>(null);
  useEffect(() => {
    if (pending.current === null) return;
    document.getElementById(pending.current)?.focus();
    pending.current = null;
  });
  return (id) => {
    pending.current = id;
  };
}
