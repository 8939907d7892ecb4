import type { ReactNode } from "react";

/**
 * The console's table: a header row of column names, rows as children, scrolling sideways inside
 * its own box on a narrow window (positioned, so screen-reader-only text stays inside the box).
 */
export function DataTable({ columns, minWidth, caption, children }: { columns: ReactNode[]; minWidth: string; caption?: string; children: ReactNode }) {
  return (
    <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className={`w-full ${minWidth} text-left text-sm`}>
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
  );
}
