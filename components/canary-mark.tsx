/** The product mark: a small canary-yellow bird glyph. Decorative. */
export function CanaryMark({ className = "h-7 w-7" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={className}>
      <circle cx="16" cy="16" r="15" fill="#facc15" />
      <path d="M9 18c2-6 9-9 14-5l3-1-2 3c0 5-5 8-10 7l-5 2 2-3z" fill="#0f172a" opacity="0.85" />
      <circle cx="21" cy="14" r="1.2" fill="#facc15" />
    </svg>
  );
}
