import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import { LINK } from "./styles";

/** Where a page sits, from the config list down; the last item is the page itself (not a link). */
export function Breadcrumb({ trail }: { trail: ({ href: string; label: ReactNode; mono?: boolean } | ReactNode)[] }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
      <Link href="/" className={LINK}>
        Configs
      </Link>
      {trail.map((item, i) => (
        <Fragment key={i}>
          {" / "}
          {isLink(item) ? (
            <Link href={item.href} className={`${LINK}${item.mono ? " font-mono" : ""}`}>
              {item.label}
            </Link>
          ) : (
            item
          )}
        </Fragment>
      ))}
    </nav>
  );
}

function isLink(item: unknown): item is { href: string; label: ReactNode; mono?: boolean } {
  return typeof item === "object" && item !== null && "href" in item;
}

/** The config's key as the breadcrumb's second step. */
export const configStep = (key: string) => ({ href: `/configs/${key}`, label: key, mono: true });
